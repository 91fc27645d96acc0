package io.herald.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * Points a {@code @QuarkusTest} at the embedded PostgreSQL, or at nothing when Docker is there (Dev Services then
 * starts one). Attach with {@code @WithTestResource(PostgresTestResource.class)}. A Herald service connects as its
 * own role, which owns its schema and nothing else (as in production, {@code deploy/postgres/roles.sql}): its Flyway
 * migrations and its queries run with exactly the privileges they get there. The service is the one whose
 * {@code application.properties} names the Flyway schema {@code ingest}, {@code rules} or {@code dispatcher}.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        if (!Infrastructure.embedded()) {
            return Map.of();
        }
        String schema = flywaySchema();
        if (schema != null && EmbeddedPostgres.SERVICES.contains(schema)) {
            return EmbeddedPostgres.datasourceOf(schema);
        }
        return Map.of(
                "quarkus.datasource.jdbc.url", EmbeddedPostgres.jdbcUrl(),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres");
    }

    private static String flywaySchema() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream("application.properties")) {
            if (in == null) {
                return null;
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("quarkus.flyway.default-schema");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // shared by every test of the JVM; stopped at JVM exit
    }
}

package io.herald.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at the embedded PostgreSQL, or at nothing when Docker is there (Dev Services then
 * starts one). Attach with {@code @WithTestResource(PostgresTestResource.class)}.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        if (!Infrastructure.embedded()) {
            return Map.of();
        }
        return Map.of(
                "quarkus.datasource.jdbc.url", EmbeddedPostgres.jdbcUrl(),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres");
    }

    @Override
    public void stop() {
        // shared by every test of the JVM; stopped at JVM exit
    }
}

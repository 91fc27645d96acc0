package io.herald.ingest.idempotency;

import io.herald.ingest.IngestConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * {@code Idempotency-Key} → notification ids, per tenant, in {@code ingest.idempotency_keys}.
 *
 * <p>The first request of a key inserts its row in a transaction that stays open while it publishes: concurrent
 * requests with the same key block on the primary key until it ends. Committed (Kafka acknowledged): they find the
 * ids and publish nothing. Rolled back (Kafka failed): one of them inserts and publishes in its turn. So a key
 * whose publish failed is never remembered, and one key publishes once however many retries race.
 */
@ApplicationScoped
public class IdempotencyStore {

    private static final Logger LOG = Logger.getLogger(IdempotencyStore.class);

    private final DataSource dataSource;
    private final long retentionSeconds;
    private ScheduledExecutorService cleaner;

    /** What a key already stands for. */
    public record Existing(String requestHash, List<String> ids) {
    }

    /** The claim of a new key: publish, then {@link #commit()}, or {@link #close()} to forget it. */
    public final class Claim implements AutoCloseable {
        private final Connection connection;
        private boolean done;

        private Claim(Connection connection) {
            this.connection = connection;
        }

        public void commit() throws SQLException {
            connection.commit();
            done = true;
        }

        @Override
        public void close() {
            try {
                if (!done) {
                    connection.rollback();
                }
            } catch (SQLException e) {
                LOG.warnf("rollback of an idempotency claim failed: %s", e.getMessage());
            } finally {
                try {
                    connection.setAutoCommit(true);
                    connection.close();
                } catch (SQLException ignored) {
                    // the pool discards a broken connection
                }
            }
        }
    }

    /** Either a {@link Claim} (this request owns the key) or the {@link Existing} answer. */
    public record Outcome(Claim claim, Existing existing) {
    }

    IdempotencyStore(DataSource dataSource, IngestConfig config) {
        this.dataSource = dataSource;
        this.retentionSeconds = config.idempotency().retention().toSeconds();
    }

    public Outcome claim(String tenant, String key, String requestHash, List<String> ids) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(false);
            // An expired row is taken over as if it were absent.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO idempotency_keys AS k (tenant, idempotency_key,"
                    + " request_hash, notification_ids) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, idempotency_key) DO UPDATE"
                    + " SET request_hash = EXCLUDED.request_hash, notification_ids = EXCLUDED.notification_ids,"
                    + " created_at = now() WHERE k.created_at < now() - make_interval(secs => ?) RETURNING 1")) {
                ps.setString(1, tenant);
                ps.setString(2, key);
                ps.setString(3, requestHash);
                ps.setString(4, String.join(",", ids));
                ps.setLong(5, retentionSeconds);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new Outcome(new Claim(c), null);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT request_hash, notification_ids FROM idempotency_keys"
                    + " WHERE tenant = ? AND idempotency_key = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, key);
                try (ResultSet rs = ps.executeQuery()) {
                    Existing existing = null;
                    if (rs.next()) {
                        String stored = rs.getString(2);
                        existing = new Existing(rs.getString(1),
                                stored.isEmpty() ? List.of() : Arrays.asList(stored.split(",")));
                    }
                    c.commit();
                    c.setAutoCommit(true);
                    c.close();
                    if (existing == null) {
                        // Deleted by the cleaner between the two statements: try again.
                        return claim(tenant, key, requestHash, ids);
                    }
                    return new Outcome(null, existing);
                }
            }
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
                c.close();
            } catch (SQLException ignored) {
                // already failing
            }
            throw e;
        }
    }

    public int deleteExpired() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => ?)")) {
            ps.setLong(1, retentionSeconds);
            return ps.executeUpdate();
        }
    }

    void start(@Observes StartupEvent event) {
        cleaner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "idempotency-cleaner");
            t.setDaemon(true);
            return t;
        });
        cleaner.scheduleWithFixedDelay(() -> {
            try {
                int deleted = deleteExpired();
                if (deleted > 0) {
                    LOG.debugf("deleted %d expired idempotency keys", deleted);
                }
            } catch (Exception e) {
                LOG.warnf("could not delete expired idempotency keys: %s", e.getMessage());
            }
        }, 1, 10, TimeUnit.MINUTES);
    }

    void stop(@Observes ShutdownEvent event) {
        if (cleaner != null) {
            cleaner.shutdownNow();
        }
    }
}

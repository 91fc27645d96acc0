package io.herald.dispatcher.storage;

import io.herald.dispatcher.DispatcherConfig;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Keeps the delivery log and the dead-letter store from growing without limit: rows older than
 * {@code herald.dispatcher.retention.delivery-log} (by last update) and dead letters older than
 * {@code herald.dispatcher.retention.dead-letters} are deleted in the background, {@code retention.batch} rows per
 * statement (each its own short transaction), so pruning never holds long locks. Any instance may prune; concurrent
 * pruning only deletes the same rows once.
 */
@ApplicationScoped
public class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class);

    private final DataSource dataSource;
    private final DispatcherConfig.Retention config;

    Retention(DataSource dataSource, DispatcherConfig config) {
        this.dataSource = dataSource;
        this.config = config.retention();
    }

    @Scheduled(every = "${herald.dispatcher.retention.every:10m}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void prune() {
        try {
            long log = prune("delivery_log", "delivery_id", "updated_at", config.deliveryLog());
            long dead = prune("dead_letter", "delivery_id", "dead_at", config.deadLetters());
            if (log + dead > 0) {
                LOG.infof("retention: %d delivery log rows and %d dead letters removed", log, dead);
            }
        } catch (SQLException e) {
            LOG.debugf("retention: not pruned this time: %s", e.getMessage());
        }
    }

    /** Deletes rows older than {@code keep}, a batch at a time; returns how many. */
    public long prune(String table, String key, String time, Duration keep) throws SQLException {
        String sql = "DELETE FROM dispatcher." + table + " WHERE " + key + " IN (SELECT " + key + " FROM dispatcher." + table
                + " WHERE " + time + " < now() - make_interval(secs => ?) LIMIT ?)";
        long total = 0;
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            c.setAutoCommit(true);
            while (true) {
                st.setDouble(1, keep.toMillis() / 1000.0);
                st.setInt(2, config.batch());
                int deleted = st.executeUpdate();
                total += deleted;
                if (deleted < config.batch()) {
                    return total;
                }
            }
        }
    }
}

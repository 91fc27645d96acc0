package io.herald.ingest.webhook;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Which notification carried an alert's firing ({@code ingest.alert_messages}, per tenant, room, fingerprint and
 * {@code startsAt}), so that its resolution edits that message. The first firing is kept (Alertmanager's repeats do not
 * replace it). Rows are kept 90 days. Blocking.
 */
@ApplicationScoped
class AlertMessages {

    private static final Logger LOG = Logger.getLogger(AlertMessages.class);

    private final DataSource dataSource;
    private ScheduledExecutorService cleaner;

    AlertMessages(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void remember(String tenant, String room, String fingerprint, String startsAt, String notificationId)
            throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                INSERT INTO alert_messages (tenant, room, fingerprint, starts_at, notification_id) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING""")) {
            st.setString(1, tenant);
            st.setString(2, room);
            st.setString(3, fingerprint);
            st.setString(4, startsAt);
            st.setString(5, notificationId);
            st.executeUpdate();
        }
    }

    Optional<String> firing(String tenant, String room, String fingerprint, String startsAt) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT notification_id FROM alert_messages
                WHERE tenant = ? AND room = ? AND fingerprint = ? AND starts_at = ?""")) {
            st.setString(1, tenant);
            st.setString(2, room);
            st.setString(3, fingerprint);
            st.setString(4, startsAt);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    void start(@Observes StartupEvent event) {
        cleaner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "alert-messages-cleaner");
            t.setDaemon(true);
            return t;
        });
        cleaner.scheduleWithFixedDelay(() -> {
            try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                    "DELETE FROM alert_messages WHERE created_at < now() - interval '90 days'")) {
                st.executeUpdate();
            } catch (SQLException e) {
                LOG.warnf("could not delete old alert messages: %s", e.getMessage());
            }
        }, 5, 60, TimeUnit.MINUTES);
    }

    void stop(@Observes ShutdownEvent event) {
        if (cleaner != null) {
            cleaner.shutdownNow();
        }
    }
}

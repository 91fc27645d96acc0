package io.herald.dispatcher.delivery;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Destinations with deliveries waiting in the retry topic, counted in PostgreSQL so every dispatcher instance sees
 * them. While a destination is parked, its new deliveries go to the retry topic behind the parked ones, so its order
 * holds. Each instance keeps a copy refreshed every second (and updated at once for its own parking), which is what
 * the hot path reads. Blocking: call from worker threads.
 */
@ApplicationScoped
public class ParkedDestinations {

    private static final Logger LOG = Logger.getLogger(ParkedDestinations.class);

    private final DataSource dataSource;
    private final long staleAfterSeconds;
    private final Set<String> parked = ConcurrentHashMap.newKeySet();
    /** When this instance last parked each destination: a refresh that started earlier must not unpark it. */
    private final java.util.Map<String, Long> parkedLocallyAt = new ConcurrentHashMap<>();

    ParkedDestinations(DataSource dataSource,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "herald.dispatcher.max-retry-duration")
            java.time.Duration maxRetryDuration) {
        this.dataSource = dataSource;
        // Every parked delivery is dead by then: a row left behind by a crash (between acknowledging and unparking)
        // must not keep its destination parked for ever.
        this.staleAfterSeconds = maxRetryDuration.plusHours(1).toSeconds();
    }

    public boolean isParked(String destination) {
        return parked.contains(destination);
    }

    /** One more delivery of {@code destination} is in the retry topic. */
    public void park(String destination) {
        update("""
                INSERT INTO dispatcher.parked_destination (destination, parked) VALUES (?, 1)
                ON CONFLICT (destination) DO UPDATE SET parked = parked_destination.parked + 1, since = now()""",
                destination);
        parkedLocallyAt.put(destination, System.nanoTime());
        parked.add(destination);
    }

    /** One delivery of {@code destination} left the retry topic (delivered or dead). */
    public void unpark(String destination) {
        update("UPDATE dispatcher.parked_destination SET parked = parked - 1 WHERE destination = ?", destination);
        update("DELETE FROM dispatcher.parked_destination WHERE destination = ? AND parked <= 0", destination);
        refresh();
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        long started = System.nanoTime();
        try (Connection c = dataSource.getConnection();
                PreparedStatement clean = c.prepareStatement("DELETE FROM dispatcher.parked_destination WHERE since < now() - "
                        + "make_interval(secs => " + staleAfterSeconds + ")");
                PreparedStatement st = c.prepareStatement(
                        "SELECT destination FROM dispatcher.parked_destination WHERE parked > 0")) {
            clean.executeUpdate();
            ResultSet rs = st.executeQuery();
            Set<String> now = ConcurrentHashMap.newKeySet();
            while (rs.next()) {
                now.add(rs.getString(1));
            }
            parked.addAll(now);
            parked.removeIf(d -> !now.contains(d) && parkedBefore(d, started));
            parkedLocallyAt.keySet().removeIf(d -> !parked.contains(d));
        } catch (SQLException e) {
            LOG.debugf("parked destinations not refreshed: %s", e.getMessage());
        }
    }

    private boolean parkedBefore(String destination, long time) {
        Long at = parkedLocallyAt.get(destination);
        return at == null || at - time < 0;
    }

    private void update(String sql, String destination) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, destination);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("parked destinations: " + e.getMessage(), e);
        }
    }
}

package io.herald.dispatcher.send;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The Matrix event ids of deliveries already posted, for the edits and redactions that name them. An edit travels the
 * same lane as its original, right behind it, and the original's delivery-log row is written in the background after
 * its send: so the ids this instance just posted are remembered here first, and older ones (or those another instance
 * posted before a rebalance, whose rows are committed before the partition moves) are read from the delivery log.
 */
@ApplicationScoped
public class SentEvents {

    private final Cache<String, String> recent = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(Duration.ofHours(1)).build();
    private final DataSource dataSource;

    SentEvents(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void remember(String deliveryId, String eventId) {
        if (eventId != null) {
            recent.put(deliveryId, eventId);
        }
    }

    /** The event id of a delivered delivery; null when it was not delivered (or the homeserver gave none). */
    public Uni<String> eventIdOf(String deliveryId) {
        String known = recent.getIfPresent(deliveryId);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return Uni.createFrom().item(() -> read(deliveryId)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private String read(String deliveryId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT matrix_event_id FROM dispatcher.delivery_log WHERE delivery_id = ? AND state = 'delivered'")) {
            st.setString(1, deliveryId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the delivery log could not be read: " + e.getMessage(), e);
        }
    }
}

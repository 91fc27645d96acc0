package io.herald.dispatcher.send;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.sql.DataSource;

/**
 * The Matrix event ids of deliveries already posted, for the edits and redactions that name them. An edit travels the
 * same lane as its original, right behind it, and the original's delivery-log row is written in the background after
 * its send: so the ids this instance just posted are remembered here first, and older ones (or those another instance
 * posted before a rebalance, whose rows are committed before the partition moves) are read from the delivery log.
 * Pushes of a notification also posted into a Matrix room wait here for that room delivery's event id
 * ({@link io.herald.common.PushContext#roomDelivery()}).
 */
@Singleton // called on every room delivery: no client proxy in between
public class SentEvents {

    /**
     * Where a room delivery is: delivered (with the event id the homeserver answered), ended without being delivered
     * (dead, rejected or purged), or not yet.
     */
    public sealed interface Outcome {
        record Delivered(String eventId) implements Outcome {
        }

        record Undelivered(String state) implements Outcome {
        }

        record Pending() implements Outcome {
        }
    }

    /** Event ids kept in memory; older ones are read from the delivery log. */
    static final int REMEMBERED = 100_000;

    // The newest REMEMBERED ids, first in first out. Written once per room delivery, read by the edits and pushes that
    // follow within seconds: insertion order is the whole policy, and a map with a ring of its keys costs a fraction
    // of a general cache's admission and expiry bookkeeping on this path (measured: the cache was 3% of the
    // dispatcher's CPU in the pipeline benchmark).
    private final ConcurrentHashMap<String, String> recent = new ConcurrentHashMap<>();
    private final AtomicReferenceArray<String> order = new AtomicReferenceArray<>(REMEMBERED);
    private final AtomicLong next = new AtomicLong();
    private final DataSource dataSource;

    SentEvents(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void remember(String deliveryId, String eventId) {
        if (eventId != null && recent.put(deliveryId, eventId) == null) {
            String oldest = order.getAndSet((int) (next.getAndIncrement() % REMEMBERED), deliveryId);
            if (oldest != null && !oldest.equals(deliveryId)) {
                recent.remove(oldest);
            }
        }
    }

    /** The event id of a delivered delivery; null when it was not delivered (or the homeserver gave none). */
    public Uni<String> eventIdOf(String deliveryId) {
        return outcome(deliveryId).map(o -> o instanceof Outcome.Delivered d ? d.eventId() : null);
    }

    /** How a delivery ended, if it did; delivered ones read from the log are remembered too. */
    public Uni<Outcome> outcome(String deliveryId) {
        String known = recent.get(deliveryId);
        if (known != null) {
            return Uni.createFrom().item(new Outcome.Delivered(known));
        }
        return Uni.createFrom().item(() -> read(deliveryId)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .invoke(o -> {
                    if (o instanceof Outcome.Delivered d) {
                        remember(deliveryId, d.eventId());
                    }
                });
    }

    private Outcome read(String deliveryId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT state, matrix_event_id FROM dispatcher.delivery_log WHERE delivery_id = ?")) {
            st.setString(1, deliveryId);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return new Outcome.Pending();
                }
                return switch (rs.getString(1)) {
                    case "delivered" -> new Outcome.Delivered(rs.getString(2));
                    case "dead", "rejected", "purged" -> // DeliveryLogEntry's states
                            new Outcome.Undelivered(rs.getString(1));
                    default -> new Outcome.Pending();
                };
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the delivery log could not be read: " + e.getMessage(), e);
        }
    }
}

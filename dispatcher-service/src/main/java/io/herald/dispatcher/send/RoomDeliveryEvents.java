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
 * How the room delivery a push waits for ended ({@link io.herald.common.PushContext#roomDelivery()}): read from the
 * delivery log, on a worker thread; the event ids of delivered ones are kept a while (every pusher of every member
 * asks for the same one).
 */
@ApplicationScoped
public class RoomDeliveryEvents {

    /** Where the room delivery is: delivered (with the event id the homeserver answered), dead, or not yet. */
    public sealed interface Outcome {
        record Delivered(String eventId) implements Outcome {
        }

        record Dead() implements Outcome {
        }

        record Pending() implements Outcome {
        }
    }

    private final DataSource dataSource;
    private final Cache<String, Outcome> settled = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(10)).build();

    RoomDeliveryEvents(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Uni<Outcome> outcome(String deliveryId) {
        Outcome known = settled.getIfPresent(deliveryId);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return Uni.createFrom().item(() -> read(deliveryId)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .invoke(o -> {
                    if (!(o instanceof Outcome.Pending)) {
                        settled.put(deliveryId, o);
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
                    case "dead" -> new Outcome.Dead();
                    default -> new Outcome.Pending();
                };
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the delivery log could not be read: " + e.getMessage(), e);
        }
    }
}

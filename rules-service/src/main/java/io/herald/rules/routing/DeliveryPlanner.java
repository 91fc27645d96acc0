package io.herald.rules.routing;

import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.InvalidRecordException;
import io.herald.common.NotificationEvent;
import io.herald.rules.room.Room;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Decides which deliveries a notification makes. */
@ApplicationScoped
public class DeliveryPlanner {

    private final Duration deadline;

    DeliveryPlanner(@ConfigProperty(name = "herald.rules.delivery-deadline") Duration deadline) {
        this.deadline = deadline;
    }

    /**
     * The deliveries of one notification. Their ids are derived from the notification id and the destination, so
     * planning the same notification again (after a crash before the offset commit) yields the same deliveries.
     *
     * @throws InvalidRecordException when the room does not exist (the record is dead-lettered)
     */
    @Transactional
    public List<Delivery> plan(NotificationEvent notification) {
        Room room = Room.findById(notification.room());
        if (room == null) {
            throw new InvalidRecordException("unknown room '" + notification.room() + "'");
        }
        List<Delivery> deliveries = new ArrayList<>(1);
        Instant now = Instant.now();
        if (room.linkedToMatrix()) {
            Destination destination = Destination.room(room.account, room.matrixRoomId);
            deliveries.add(new Delivery(Delivery.idFor(notification.id(), destination), notification.id(),
                    notification.room(), destination, notification.event(), Map.of(), "high", 0,
                    now.plus(deadline), now));
        }
        return deliveries;
    }
}

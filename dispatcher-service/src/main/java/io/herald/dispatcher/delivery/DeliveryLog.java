package io.herald.dispatcher.delivery;

import io.herald.common.Delivery;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;

/** Records the end of each delivery (blocking: call from a worker thread). */
@ApplicationScoped
public class DeliveryLog {

    @Transactional
    public void record(Delivery delivery, String state, int attempts, SendResult last) {
        DeliveryLogEntry entry = DeliveryLogEntry.findById(delivery.id());
        Instant now = Instant.now();
        if (entry == null) {
            entry = new DeliveryLogEntry();
            entry.deliveryId = delivery.id();
            entry.notificationId = delivery.notificationId();
            entry.roomKey = delivery.room();
            entry.destination = delivery.destination().key();
            entry.createdAt = now;
            entry.attempts = 0;
        }
        entry.state = state;
        entry.attempts += attempts;
        entry.lastStatus = last == null ? null : last.status();
        entry.lastError = last == null ? null : last.reason();
        if (last != null && last.eventId() != null) {
            entry.matrixEventId = last.eventId();
        }
        entry.updatedAt = now;
        entry.persist();
    }
}

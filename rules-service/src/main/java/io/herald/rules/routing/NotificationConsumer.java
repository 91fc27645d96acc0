package io.herald.rules.routing;

import io.herald.common.Delivery;
import io.herald.common.InvalidRecordException;
import io.herald.common.Json;
import io.herald.common.NotificationEvent;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes {@code herald.notifications} and publishes the deliveries of each notification to
 * {@code herald.deliveries}. A notification's offset is committed only after Kafka acknowledged all of its
 * deliveries, so a crash re-plans it (with the same delivery ids) instead of losing it.
 *
 * <p>Records that cannot be processed (unparseable, invalid, unknown room) are dead-lettered to
 * {@code herald.notifications.dlq} with the reason in the {@code dead-letter-reason} header; transient trouble
 * (database, broker) is retried here, with backoff, never dead-lettered.
 */
@ApplicationScoped
public class NotificationConsumer {

    private static final Logger LOG = Logger.getLogger(NotificationConsumer.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final int CHUNK = 128;

    private final DeliveryPlanner planner;
    private final MutinyEmitter<String> deliveries;

    NotificationConsumer(DeliveryPlanner planner, @Channel("deliveries") MutinyEmitter<String> deliveries) {
        this.planner = planner;
        this.deliveries = deliveries;
    }

    @Incoming("notifications")
    @Blocking
    public CompletionStage<Void> consume(Message<byte[]> message) {
        byte[] value = message.getPayload();
        NotificationEvent notification;
        try {
            notification = Json.decodeNotification(value == null ? null : new String(value, StandardCharsets.UTF_8));
        } catch (InvalidRecordException e) {
            return message.nack(e);
        }
        Duration backoff = Duration.ofMillis(100);
        while (true) {
            try {
                List<Delivery> planned = planner.plan(notification);
                publish(planned);
                LOG.debugf("notification %s: %d deliveries", notification.id(), planned.size());
                return message.ack();
            } catch (InvalidRecordException e) {
                return message.nack(e);
            } catch (RuntimeException e) {
                LOG.warnf("notification %s: %s; retrying in %d ms", notification.id(), e.getMessage(), backoff.toMillis());
                if (!sleep(backoff)) {
                    // Shutting down: neither ack nor nack, so the offset stays uncommitted and the record comes back.
                    return new CompletableFuture<>();
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /**
     * Publishes the deliveries and waits until Kafka acknowledged all of them. They are sent in chunks without waiting
     * for each acknowledgement in turn (the producer keeps their order per partition); a chunk stays within the
     * emitter's buffer, so a room of thousands of members does not overflow it.
     */
    private void publish(List<Delivery> planned) {
        for (int from = 0; from < planned.size(); from += CHUNK) {
            List<Uni<Void>> sends = planned.subList(from, Math.min(planned.size(), from + CHUNK)).stream()
                    .map(d -> deliveries.sendMessage(Message.of(Json.encode(d))
                            .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                                    .withKey(d.destination().key()).build())))
                    .toList();
            Uni.join().all(sends).andFailFast().await().atMost(Duration.ofMinutes(2));
        }
    }

    private static boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

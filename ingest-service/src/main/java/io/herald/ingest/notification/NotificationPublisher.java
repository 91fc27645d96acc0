package io.herald.ingest.notification;

import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.MessageRenderer;
import io.herald.common.NotificationEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import io.smallrye.reactive.messaging.MutinyEmitter;

/**
 * Turns an accepted request into a {@link NotificationEvent} on {@code herald.notifications}, keyed by room.
 * The Matrix content is rendered here, once, so push rules see the same body the room will show.
 */
@ApplicationScoped
public class NotificationPublisher {

    private final MutinyEmitter<String> notifications;
    private final String sender;
    private final Duration publishTimeout;

    NotificationPublisher(@Channel("notifications") MutinyEmitter<String> notifications,
            @ConfigProperty(name = "herald.ingest.sender") String sender,
            @ConfigProperty(name = "herald.ingest.publish-timeout") Duration publishTimeout) {
        this.notifications = notifications;
        this.sender = sender;
        this.publishTimeout = publishTimeout;
    }

    /** Completes with the notification id when the broker acknowledged; fails with {@link BrokerUnavailableException}. */
    public Uni<String> publish(String room, NotificationRequest request) {
        String id = UUID.randomUUID().toString();
        NotificationEvent event = new NotificationEvent(id, room,
                MatrixEvent.message(sender, MessageRenderer.render(request.subject(), request.body(), request.link(),
                        Boolean.TRUE.equals(request.silent()))),
                Instant.now(), "http");
        Message<String> message = Message.of(Json.encode(event))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(room).build());
        return notifications.sendMessage(message)
                .ifNoItem().after(publishTimeout).fail()
                .onFailure().transform(BrokerUnavailableException::new)
                .replaceWith(id);
    }
}

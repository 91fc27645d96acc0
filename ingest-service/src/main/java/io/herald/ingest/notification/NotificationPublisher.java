package io.herald.ingest.notification;

import io.herald.common.Json;
import io.herald.common.NotificationEvent;
import io.herald.ingest.IngestConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Publishes {@link NotificationEvent}s on {@code herald.notifications}, keyed by room (see docs/kafka-contract.md), and
 * waits at most {@code herald.ingest.publish-timeout} for the broker's acknowledgement (acks=all).
 */
@ApplicationScoped
public class NotificationPublisher {

    public static final String TENANT_HEADER = "herald-tenant";
    public static final String API_KEY_HEADER = "herald-api-key";

    private final MutinyEmitter<String> notifications;
    private final Duration publishTimeout;

    NotificationPublisher(@Channel("notifications") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 8192)
            MutinyEmitter<String> notifications, IngestConfig config) {
        this.notifications = notifications;
        this.publishTimeout = config.publishTimeout();
    }

    /** Returns once the broker acknowledged every event; throws {@link BrokerUnavailableException} otherwise. */
    public void publishAndWait(List<NotificationEvent> events, String tenant, String apiKeyId) {
        if (events.isEmpty()) {
            return;
        }
        List<Uni<Void>> sends = events.stream().map(event -> send(event, tenant, apiKeyId)).toList();
        Uni<?> all = sends.size() == 1 ? sends.get(0) : Uni.join().all(sends).andFailFast();
        try {
            all.ifNoItem().after(publishTimeout).fail().await().indefinitely();
        } catch (RuntimeException e) {
            throw new BrokerUnavailableException(e);
        }
    }

    private Uni<Void> send(NotificationEvent event, String tenant, String apiKeyId) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
        headers.add(TENANT_HEADER, tenant.getBytes(StandardCharsets.UTF_8));
        headers.add(API_KEY_HEADER, apiKeyId.getBytes(StandardCharsets.UTF_8));
        Message<String> message = Message.of(Json.encode(event)).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(event.room()).withHeaders(headers).build());
        try {
            return notifications.sendMessage(message);
        } catch (RuntimeException e) { // e.g. the emitter's buffer is full
            return Uni.createFrom().failure(e);
        }
    }
}

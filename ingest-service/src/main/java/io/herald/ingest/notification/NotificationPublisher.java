package io.herald.ingest.notification;

import io.herald.common.Channels;
import io.herald.common.Json;
import io.herald.common.NotificationEvent;
import io.herald.common.Topics;
import io.herald.ingest.IngestConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaProducer;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Publishes {@link NotificationEvent}s on {@code herald.notifications}, keyed by room (see docs/kafka-contract.md), and
 * completes once the broker acknowledged them (acks=all), failing with {@link BrokerUnavailableException} after
 * {@code herald.ingest.publish-timeout}.
 *
 * <p>Records go straight to the channel's Kafka producer, not through the emitter's stream: one request is one
 * {@code send} on the producer's sending thread and one callback, which keeps the HTTP path free of blocking and of
 * per-record stream stages. The emitter is still injected so that SmallRye creates, configures (the
 * {@code mp.messaging.outgoing.notifications.*} properties), health-checks and closes the producer.
 */
@ApplicationScoped
public class NotificationPublisher {

    public static final String TENANT_HEADER = "herald-tenant";
    public static final String API_KEY_HEADER = "herald-api-key";
    private static final byte[] JSON = "application/json".getBytes(StandardCharsets.UTF_8);

    private final KafkaProducer<String, String> producer;
    private final Duration publishTimeout;

    NotificationPublisher(@Channel(Channels.NOTIFICATIONS) MutinyEmitter<String> channel, KafkaClientService kafka,
            IngestConfig config) {
        this.producer = kafka.getProducer(Channels.NOTIFICATIONS);
        this.publishTimeout = config.publishTimeout();
    }

    /** Completes once the broker acknowledged every event; fails with {@link BrokerUnavailableException} otherwise. */
    public Uni<Void> publish(List<NotificationEvent> events, String tenant, String apiKeyId) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Uni<?> all;
        if (events.size() == 1) {
            all = send(events.get(0), tenant, apiKeyId);
        } else {
            List<Uni<RecordMetadata>> sends = new ArrayList<>(events.size());
            for (NotificationEvent event : events) {
                sends.add(send(event, tenant, apiKeyId));
            }
            all = Uni.join().all(sends).andFailFast();
        }
        return all.ifNoItem().after(publishTimeout).fail()
                .onFailure().transform(BrokerUnavailableException::new)
                .replaceWithVoid();
    }

    /** For callers on a worker thread (the idempotent path, which holds a database claim meanwhile). */
    public void publishAndWait(List<NotificationEvent> events, String tenant, String apiKeyId) {
        publish(events, tenant, apiKeyId).await().indefinitely();
    }

    private Uni<RecordMetadata> send(NotificationEvent event, String tenant, String apiKeyId) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", JSON);
        headers.add(TENANT_HEADER, tenant.getBytes(StandardCharsets.UTF_8));
        headers.add(API_KEY_HEADER, apiKeyId.getBytes(StandardCharsets.UTF_8));
        return producer.send(new ProducerRecord<>(Topics.NOTIFICATIONS, null, event.room(), Json.encode(event), headers));
    }
}

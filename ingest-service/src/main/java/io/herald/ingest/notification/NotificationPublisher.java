package io.herald.ingest.notification;

import io.herald.common.Channels;
import io.herald.common.Json;
import io.herald.common.NotificationEvent;
import io.herald.common.Topics;
import io.herald.ingest.IngestConfig;
import io.herald.telemetry.Tracing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaProducer;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 *
 * <p>The record of a traced request carries the request span's context in the {@code traceparent} header (the span
 * lasts until the broker acknowledged it, see {@link IntakeSpans}); {@code herald_notifications_accepted_total{source}}
 * counts what the broker acknowledged.
 */
@ApplicationScoped
public class NotificationPublisher {

    public static final String TENANT_HEADER = io.herald.common.RecordHeaders.TENANT;
    public static final String API_KEY_HEADER = io.herald.common.RecordHeaders.API_KEY;
    private static final byte[] JSON = "application/json".getBytes(StandardCharsets.UTF_8);

    private final KafkaProducer<String, String> producer;
    private final Duration publishTimeout;
    private final Tracing tracing;
    private final MeterRegistry registry;
    private final Map<String, Counter> accepted = new ConcurrentHashMap<>();

    NotificationPublisher(@Channel(Channels.NOTIFICATIONS) MutinyEmitter<String> channel, KafkaClientService kafka,
            IngestConfig config, Tracing tracing, MeterRegistry registry) {
        this.producer = kafka.getProducer(Channels.NOTIFICATIONS);
        this.publishTimeout = config.publishTimeout();
        this.tracing = tracing;
        this.registry = registry;
    }

    /**
     * Completes once the broker acknowledged every event; fails with {@link BrokerUnavailableException} otherwise. The
     * records continue {@code trace}, the request's ({@link IntakeSpans#current()}).
     */
    public Uni<Void> publish(List<NotificationEvent> events, String tenant, String apiKeyId, Context trace) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        describe(Span.fromContext(trace), events);
        Uni<?> all;
        if (events.size() == 1) {
            all = send(events.get(0), tenant, apiKeyId, trace);
        } else {
            List<Uni<RecordMetadata>> sends = new ArrayList<>(events.size());
            for (NotificationEvent event : events) {
                sends.add(send(event, tenant, apiKeyId, trace));
            }
            all = Uni.join().all(sends).andFailFast();
        }
        return all.ifNoItem().after(publishTimeout).fail()
                .onFailure().transform(BrokerUnavailableException::new)
                .invoke(() -> accepted(events))
                .replaceWithVoid();
    }

    /** The request's span names what it publishes: the room, and the notification when it is one. */
    private static void describe(Span span, List<NotificationEvent> events) {
        if (span.isRecording()) {
            span.setAttribute(Tracing.ROOM, events.get(0).room());
            if (events.size() == 1) {
                span.setAttribute(Tracing.NOTIFICATION_ID, events.get(0).id());
            }
        }
    }

    /** For callers on a worker thread (the idempotent path, which holds a database claim meanwhile). */
    public void publishAndWait(List<NotificationEvent> events, String tenant, String apiKeyId, Context trace) {
        publish(events, tenant, apiKeyId, trace).await().indefinitely();
    }

    private Uni<RecordMetadata> send(NotificationEvent event, String tenant, String apiKeyId, Context trace) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", JSON);
        headers.add(TENANT_HEADER, tenant.getBytes(StandardCharsets.UTF_8));
        headers.add(API_KEY_HEADER, apiKeyId.getBytes(StandardCharsets.UTF_8));
        tracing.inject(trace, headers); // before the record copies the headers; nothing unless the request is traced
        return producer.send(new ProducerRecord<>(Topics.NOTIFICATIONS, null, event.room(), Json.encode(event), headers));
    }

    /** Counts accepted notifications by source ({@code http}, {@code alertmanager}, {@code webhook}, ...). */
    private void accepted(List<NotificationEvent> events) {
        for (NotificationEvent event : events) {
            String source = event.source() == null ? "unknown" : event.source();
            int colon = source.indexOf(':'); // webhook:<name>: one series for every webhook
            String label = colon < 0 ? source : source.substring(0, colon);
            accepted.computeIfAbsent(label, l -> Counter.builder("herald.notifications.accepted").tag("source", l)
                    .description("notifications on herald.notifications, acknowledged by the broker")
                    .register(registry)).increment();
        }
    }
}

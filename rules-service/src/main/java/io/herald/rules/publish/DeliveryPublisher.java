package io.herald.rules.publish;

import io.herald.common.Channels;
import io.herald.common.Delivery;
import io.herald.common.InvalidRecordException;
import io.herald.common.Json;
import io.herald.common.ProducerErrors;
import io.herald.common.Topics;
import io.smallrye.mutiny.CompositeException;
import io.herald.telemetry.Tracing;
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
import java.util.Collections;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * Publishes deliveries to {@code herald.deliveries} through the deliveries channel's producer (SmallRye still creates,
 * configures and health-checks it): one send and one callback per delivery, no per-record stream stages, in the order
 * given (the producer keeps it per partition, idempotent, so also across its own retries).
 */
@ApplicationScoped
public class DeliveryPublisher {

    private static final Logger LOG = Logger.getLogger(DeliveryPublisher.class);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final KafkaProducer<String, String> producer;
    private final Tracing tracing;

    DeliveryPublisher(@Channel(Channels.DELIVERIES) MutinyEmitter<String> channel, KafkaClientService kafka,
            Tracing tracing) {
        this.producer = kafka.getProducer(Channels.DELIVERIES);
        this.tracing = tracing;
    }

    /**
     * Hands the deliveries to the producer now, in order, and completes when Kafka acknowledged all of them. If
     * the producer gives up on some (the broker unreachable for longer than its delivery timeout), all are sent
     * again: their ids are stable, so the dispatcher's homeservers deduplicate what had gone through. If some can never
     * be written (too large, not serializable: {@link ProducerErrors#permanent}) and the others went through, fails
     * with an {@link InvalidRecordException} naming them. While {@code parent} is traced (null: none), each record
     * carries its context, and {@code parent} should last until this completes.
     */
    public Uni<Void> publish(List<Delivery> planned, Span parent) {
        return publish(planned, Collections.nCopies(planned.size(), parent == null ? Span.getInvalid() : parent));
    }

    /**
     * {@link #publish(List, Span)} for deliveries that continue different traces: {@code parents} holds the span of
     * each (as long as {@code planned}; {@link Span#getInvalid()} for one not traced).
     */
    public Uni<Void> publish(List<Delivery> planned, List<Span> parents) {
        if (planned.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        if (parents.size() != planned.size()) {
            throw new IllegalArgumentException(planned.size() + " deliveries but " + parents.size() + " parents");
        }
        return Uni.createFrom().deferred(() -> sendAll(planned, parents))
                .onFailure(DeliveryPublisher::retriable)
                .invoke(e -> LOG.warnf("publishing deliveries failed, retrying: %s", e.getMessage()))
                .onFailure(DeliveryPublisher::retriable).retry().withBackOff(Duration.ofMillis(200), MAX_BACKOFF)
                .indefinitely();
    }

    /** A record of a source topic that cannot be processed, to {@code herald.notifications.dlq} with the reason. */
    public Uni<RecordMetadata> deadLetter(String sourceTopic, String key, byte[] value, String reason) {
        ProducerRecord<String, String> record = new ProducerRecord<>(Topics.NOTIFICATIONS_DLQ, key,
                value == null ? null : new String(value, StandardCharsets.UTF_8));
        record.headers().add("dead-letter-reason", reason.getBytes(StandardCharsets.UTF_8));
        record.headers().add("dead-letter-topic", sourceTopic.getBytes(StandardCharsets.UTF_8));
        return producer.send(record);
    }

    private Uni<Void> sendAll(List<Delivery> planned, List<Span> parents) {
        List<Uni<RecordMetadata>> sends = new ArrayList<>(planned.size());
        for (int i = 0; i < planned.size(); i++) {
            Delivery d = planned.get(i);
            Span parent = parents.get(i);
            // lazy: sent when subscribed, which Uni.join does in list order on the producer's single sending thread
            sends.add(Uni.createFrom().deferred(() -> producer.send(record(d, parent)))
                    .onFailure(ProducerErrors::permanent).transform(e -> new InvalidRecordException("delivery " + d.id()
                            + " to " + d.destination().key() + " cannot be written to " + Topics.DELIVERIES + ": " + e)));
        }
        return Uni.join().all(sends).andCollectFailures().replaceWithVoid()
                .onFailure().transform(e -> summary(e, planned.size()));
    }

    /** The delivery's record; while {@code parent} is traced, with its context (the dispatcher continues it). */
    private ProducerRecord<String, String> record(Delivery d, Span parent) {
        if (!parent.isRecording()) {
            return new ProducerRecord<>(Topics.DELIVERIES, d.destination().key(), encode(d));
        }
        RecordHeaders headers = new RecordHeaders();
        tracing.inject(Context.root().with(parent), headers);
        return new ProducerRecord<>(Topics.DELIVERIES, null, d.destination().key(), encode(d), headers);
    }

    private static String encode(Delivery d) {
        try {
            return Json.encode(d);
        } catch (IllegalArgumentException e) {
            throw new SerializationException(e.getMessage(), e);
        }
    }

    /**
     * One failure for the whole list: a retriable one when any send may still succeed (all are sent again), else the
     * permanent ones together, with how many deliveries went out.
     */
    private static Throwable summary(Throwable failure, int deliveries) {
        List<Throwable> failures = failure instanceof CompositeException c ? c.getCauses() : List.of(failure);
        for (Throwable f : failures) {
            if (retriable(f)) {
                return f;
            }
        }
        String reasons = String.join("; ", failures.stream().map(Throwable::getMessage).toList());
        return new InvalidRecordException(reasons + " (" + (deliveries - failures.size()) + " of " + deliveries
                + " deliveries were published)");
    }

    private static boolean retriable(Throwable failure) {
        return !(failure instanceof InvalidRecordException);
    }
}

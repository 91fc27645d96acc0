package io.herald.dispatcher.delivery;

import io.herald.common.Channels;
import io.herald.common.Delivery;
import io.herald.common.InvalidRecordException;
import io.herald.common.Json;
import io.herald.common.Topics;
import io.herald.dispatcher.DispatcherConfig;
import io.herald.dispatcher.hosts.HostLabels;
import io.herald.dispatcher.hosts.Hosts;
import io.herald.dispatcher.limits.AsyncSemaphore;
import io.herald.telemetry.Tracing;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The consumer of {@code herald.deliveries}. Each record is decoded (one that does not decode or breaks the
 * contract's limits goes to {@code herald.deliveries.dlq} with the reason) and handed to its destination's
 * {@link Lane}; the method returns once the record is admitted, so destinations proceed concurrently. At most
 * {@code herald.dispatcher.max-in-flight} records are in memory; more wait in Kafka. A record is acknowledged, and its
 * offset becomes committable ({@link Offsets}, committed by {@link DeliveryPartitions}), only once its outcome is
 * durable.
 *
 * <p>While tracing is on, each record gets its {@link DeliveryTrace}, continuing the trace its headers carry; it ends
 * when the record leaves memory.
 */
@ApplicationScoped
public class DeliveryConsumer {

    public static final String CHANNEL = Channels.DELIVERIES;

    private final Lanes lanes;
    private final Offsets offsets = new Offsets(Topics.DELIVERIES);
    private final AsyncSemaphore slots;
    private final Set<Fresh> inMemory = ConcurrentHashMap.newKeySet();
    /** Order of records that carry no Kafka position (the in-memory connector of tests). */
    private final AtomicLong localSequence = new AtomicLong();
    private final Tracing tracing;
    private final HostLabels hosts;

    DeliveryConsumer(Lanes lanes, DispatcherConfig config, Tracing tracing, HostLabels hosts) {
        this.lanes = lanes;
        this.slots = new AsyncSemaphore(config.maxInFlight());
        this.tracing = tracing;
        this.hosts = hosts;
    }

    @Incoming(CHANNEL)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        IncomingKafkaRecordMetadata<?, ?> position = message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        int partition = position == null ? -1 : position.getPartition();
        long offset = position == null ? localSequence.incrementAndGet() : position.getOffset();
        if (partition >= 0) {
            offsets.received(partition, offset);
        }
        Delivery delivery;
        try {
            delivery = Json.decodeDelivery(message.getPayload());
        } catch (InvalidRecordException e) {
            // SmallRye's dead-letter strategy publishes the record as it was, with the reason, then acknowledges it.
            return message.nack(e).whenComplete((ok, error) -> finished(partition, offset));
        }
        DeliveryTrace trace = tracing.enabled() ? DeliveryTrace.received(tracing, delivery,
                position == null ? null : position.getHeaders(), partition, offset, hosts::of) : DeliveryTrace.NONE;
        return slots.acquire().thenAccept(admitted -> {
            Fresh fresh = new Fresh(message, delivery, partition, offset, Hosts.keyOf(delivery), trace);
            fresh.onExit(settled -> {
                if (!settled) {
                    trace.outcome("abandoned");
                }
                trace.end();
                inMemory.remove(fresh);
                if (settled) {
                    finished(partition, offset); // an abandoned record stays uncommitted: the next owner gets it
                }
                slots.release();
            });
            inMemory.add(fresh);
            lanes.offer(fresh);
        });
    }

    private void finished(int partition, long offset) {
        if (partition >= 0) {
            offsets.finished(partition, offset);
        }
    }

    Offsets offsets() {
        return offsets;
    }

    /** The records in memory now (received, neither settled nor abandoned). */
    Collection<Fresh> inMemory() {
        return inMemory;
    }
}

package io.herald.dispatcher.delivery;

import io.herald.common.Delivery;
import io.herald.common.InvalidRecordException;
import io.herald.common.Json;
import io.herald.dispatcher.limits.AsyncSemaphore;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The two Kafka consumers of the dispatcher: {@code herald.deliveries} (fresh deliveries) and
 * {@code herald.deliveries.retry} (parked ones). Each record runs in its destination's {@link Lanes lane}, so
 * destinations proceed concurrently and each keeps its order; at most {@code herald.dispatcher.max-in-flight}
 * records per consumer are in progress. The method returns once the record is admitted; the record is acknowledged
 * (and its offset becomes committable) only when its outcome is durable.
 */
@ApplicationScoped
public class DeliveryConsumers {

    private final DeliveryProcessor processor;
    private final Lanes freshLanes = new Lanes();
    private final Lanes parkedLanes = new Lanes();
    private final AsyncSemaphore freshSlots;
    private final AsyncSemaphore parkedSlots;

    DeliveryConsumers(DeliveryProcessor processor,
            @ConfigProperty(name = "herald.dispatcher.max-in-flight") int maxInFlight) {
        this.processor = processor;
        this.freshSlots = new AsyncSemaphore(maxInFlight);
        this.parkedSlots = new AsyncSemaphore(maxInFlight);
    }

    @Incoming("deliveries")
    public CompletionStage<Void> fresh(Message<byte[]> message) {
        Delivery delivery;
        try {
            delivery = decode(message);
        } catch (InvalidRecordException e) {
            return message.nack(e);
        }
        return freshSlots.acquire().thenAccept(admitted -> inLane(freshLanes, freshSlots, delivery,
                laneFree -> processor.processFresh(message, delivery, laneFree)));
    }

    @Incoming("deliveries-retry")
    public CompletionStage<Void> parked(Message<byte[]> message) {
        Delivery delivery;
        Instant notBefore;
        List<AttemptRecord> history;
        try {
            delivery = decode(message);
            notBefore = Instant.ofEpochMilli(Long.parseLong(header(message, DeliveryProcessor.NOT_BEFORE, "0")));
            history = Arrays.asList(Json.decode(header(message, DeliveryProcessor.HISTORY, "[]"), AttemptRecord[].class));
        } catch (InvalidRecordException | NumberFormatException e) {
            return message.nack(e);
        }
        return parkedSlots.acquire().thenAccept(admitted -> inLane(parkedLanes, parkedSlots, delivery,
                laneFree -> processor.processParked(message, delivery, notBefore, history, laneFree)));
    }

    /**
     * Runs a delivery in its destination's lane. The lane moves on when the pipeline says the destination is free
     * (its send's outcome is known); the in-flight slot is held until the pipeline is done (logged and acknowledged).
     */
    private static void inLane(Lanes lanes, AsyncSemaphore slots, Delivery delivery,
            Function<CompletableFuture<Void>, Uni<Void>> pipeline) {
        lanes.submit(delivery.destination().key(), () -> {
            CompletableFuture<Void> laneFree = new CompletableFuture<>();
            CompletionStage<Void> done;
            try {
                done = pipeline.apply(laneFree).subscribeAsCompletionStage();
            } catch (RuntimeException e) {
                done = CompletableFuture.failedFuture(e);
            }
            done.whenComplete((ok, error) -> {
                laneFree.complete(null);
                slots.release();
            });
            return laneFree;
        });
    }

    private static Delivery decode(Message<byte[]> message) {
        return Json.decodeDelivery(message.getPayload());
    }

    private static String header(Message<?> message, String name, String otherwise) {
        return message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> m.getHeaders().lastHeader(name))
                .map(Header::value)
                .map(v -> new String(v, StandardCharsets.UTF_8))
                .orElse(otherwise);
    }
}

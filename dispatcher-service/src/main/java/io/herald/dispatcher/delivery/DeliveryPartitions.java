package io.herald.dispatcher.delivery;

import io.herald.dispatcher.DispatcherConfig;
import io.herald.dispatcher.storage.Outages;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Partitions of {@code herald.deliveries} coming and going, and the offsets committed for them (the channel runs with
 * {@code commit-strategy=ignore} and {@code enable.auto.commit=false}: Herald commits, once per second and on
 * revocation, exactly what {@link Offsets} says is settled).
 *
 * <p>On revocation the partition's lanes stop taking work, the sends under way finish and their outcomes become
 * durable (at most {@code herald.dispatcher.rebalance.drain-timeout}), and only then are the offsets committed and the
 * partition let go: its next owner starts where this one ended, so nothing is sent twice and order holds. On
 * assignment, the destinations the partition has parked in PostgreSQL resume before any of its records is processed.
 * Runs on the consumer's polling thread.
 */
@ApplicationScoped
@Identifier(DeliveryPartitions.NAME)
public class DeliveryPartitions implements KafkaConsumerRebalanceListener {

    public static final String NAME = "herald-deliveries";

    private static final Logger LOG = Logger.getLogger(DeliveryPartitions.class);
    private static final Duration SHUTDOWN_DRAIN = Duration.ofSeconds(30);

    private final Lanes lanes;
    private final DeliveryConsumer consumer;
    private final ParkingLot lot;
    private final Outages outages;
    private final KafkaClientService kafka;
    private final Duration drainTimeout;
    private final io.micrometer.core.instrument.Counter forgotten;

    DeliveryPartitions(Lanes lanes, DeliveryConsumer consumer, ParkingLot lot, Outages outages, KafkaClientService kafka,
            DispatcherConfig config, DeliveryMetrics metrics) {
        this.forgotten = io.micrometer.core.instrument.Counter.builder("herald.lanes.resumed.forgotten")
                .description("parked destinations no lane was draining, found and resumed (a bug if ever above zero)")
                .register(metrics.registry());
        this.lanes = lanes;
        this.consumer = consumer;
        this.lot = lot;
        this.outages = outages;
        this.kafka = kafka;
        this.drainTimeout = config.rebalance().drainTimeout();
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> kafkaConsumer, Collection<TopicPartition> partitions) {
        List<Integer> numbers = partitions.stream().map(TopicPartition::partition).toList();
        if (numbers.isEmpty()) {
            return;
        }
        numbers.forEach(consumer.offsets()::assigned);
        // Before any record of these partitions is processed: a fresh record must never overtake a parked one.
        long backoff = 200;
        while (true) {
            try {
                lanes.assigned(numbers, lot.destinations(numbers));
                return;
            } catch (Exception e) {
                outages.database(e);
                LOG.warnf("partitions %s: parked destinations could not be read, retrying: %s", numbers, e.getMessage());
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5000);
            }
        }
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> kafkaConsumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        List<Integer> numbers = partitions.stream().map(TopicPartition::partition).toList();
        try {
            lanes.revoke(numbers).get(drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("partitions %s revoked: in-flight sends did not finish within %s; letting go", numbers, drainTimeout);
        } catch (Exception e) {
            LOG.warnf("partitions %s revoked: %s", numbers, e.getMessage());
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = consumer.offsets().toCommit(partitions);
        try {
            if (!offsets.isEmpty()) {
                kafkaConsumer.commitSync(offsets);
            }
        } catch (RuntimeException e) {
            LOG.warnf("partitions %s revoked: committing %s failed: %s", numbers, offsets, e.getMessage());
        }
        numbers.forEach(consumer.offsets()::forget);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> kafkaConsumer, Collection<TopicPartition> partitions) {
        // Already someone else's: stop, commit nothing. Still wait (bounded) for the lanes to stop before this consumer
        // rejoins: a park still being written must not appear behind the back of whoever gets the partition next.
        List<Integer> numbers = partitions.stream().map(TopicPartition::partition).toList();
        try {
            lanes.revoke(numbers).get(drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf("partitions %s lost: their lanes did not stop within %s", numbers, drainTimeout);
        }
        numbers.forEach(consumer.offsets()::forget);
    }

    /** Commits what is settled, on the polling thread (so it cannot race a rebalance). */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void commit() {
        KafkaConsumer<Object, Object> client = kafka.getConsumer(DeliveryConsumer.CHANNEL);
        if (client == null) {
            return; // not a Kafka channel (tests with the in-memory connector)
        }
        client.runOnPollingThread(c -> {
            Map<TopicPartition, OffsetAndMetadata> offsets = consumer.offsets().toCommit(c.assignment());
            if (!offsets.isEmpty()) {
                c.commitAsync(offsets, (done, e) -> {
                    if (e != null) {
                        consumer.offsets().commitFailed(done == null ? offsets : done);
                        LOG.debugf("commit failed, retried with the next one: %s", e.getMessage());
                    }
                });
            }
        }).subscribe().with(ok -> { }, e -> LOG.debugf("commit not run: %s", e.getMessage()));
    }

    /** The safety net of {@link Lanes#resumeForgotten}: every 30 s, for deliveries parked over a minute. */
    @Scheduled(every = "30s", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void resumeForgotten() {
        var partitions = lanes.assignedPartitions();
        if (partitions.isEmpty()) {
            return;
        }
        try {
            int resumed = lanes.resumeForgotten(lot.destinations(partitions, Duration.ofMinutes(1)));
            if (resumed > 0) {
                forgotten.increment(resumed);
            }
        } catch (java.sql.SQLException e) {
            LOG.debugf("parked destinations not checked: %s", e.getMessage());
        }
    }

    /**
     * A graceful stop, before the persistence layer closes (this observer runs first): the lanes start nothing more,
     * what they started becomes durable (bounded by the smaller of the drain timeout and 30 s, within the pods'
     * termination grace period), then the settled offsets are committed. A push sent but not yet recorded when the
     * database closed would otherwise be sent again by the partition's next owner.
     */
    void shutdown(@Observes @Priority(1) ShutdownEvent event) {
        Duration bound = drainTimeout.compareTo(SHUTDOWN_DRAIN) < 0 ? drainTimeout : SHUTDOWN_DRAIN;
        try {
            lanes.revokeAll().get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("stopping: in-flight sends did not finish within %s; their records go to the next owners", bound);
        } catch (Exception e) {
            LOG.warnf("stopping: %s", e.getMessage());
        }
        KafkaConsumer<Object, Object> client = kafka.getConsumer(DeliveryConsumer.CHANNEL);
        if (client == null) {
            return;
        }
        try {
            client.runOnPollingThread(c -> {
                Map<TopicPartition, OffsetAndMetadata> offsets = consumer.offsets().toCommit(c.assignment());
                if (!offsets.isEmpty()) {
                    c.commitSync(offsets);
                }
            }).await().atMost(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.warnf("stopping: committing offsets failed: %s", e.getMessage());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.herald.dispatcher.delivery;

import io.herald.dispatcher.DispatcherConfig;
import io.herald.dispatcher.storage.Outages;
import io.herald.telemetry.LogFields;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.jboss.logging.Logger;

/**
 * Finds deliveries that stopped moving. A record in memory is stuck when neither it nor its lane made progress (an
 * attempt, an answer, a durable write) for {@code herald.dispatcher.watchdog.stuck-after}; a lane is stuck when one of
 * its operations (a send, a parking-lot read) runs that long. Waiting on purpose (a backoff, an open circuit, an
 * outage of PostgreSQL or Kafka being waited out) is not stuck. Each stuck delivery is logged once with its id,
 * {@code herald_deliveries_stuck} counts them, and liveness fails while there are any, so that Kubernetes restarts a
 * wedged instance (its records come back to the partition's next owner).
 */
@ApplicationScoped
@Liveness
public class Watchdog implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(Watchdog.class);

    private final DeliveryConsumer consumer;
    private final Lanes lanes;
    private final Outages outages;
    private final long stuckAfterNanos;
    private final Set<Object> reported = Collections.newSetFromMap(new WeakHashMap<>());
    private volatile int stuck;
    private static final long LOST_FLOW_NANOS = 60_000_000_000L;
    private io.micrometer.core.instrument.Counter restarted;
    private final DeliveryMetrics metrics;

    Watchdog(DeliveryConsumer consumer, Lanes lanes, Outages outages, DispatcherConfig config, DeliveryMetrics metrics) {
        this.consumer = consumer;
        this.lanes = lanes;
        this.outages = outages;
        this.stuckAfterNanos = config.watchdog().stuckAfter().toNanos();
        this.metrics = metrics;
    }

    void registerGauges(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent event) {
        restarted = io.micrometer.core.instrument.Counter.builder("herald.lanes.restarted")
                .description("lanes whose flow was lost and that the watchdog restarted (a bug if ever above zero)")
                .register(metrics.registry());
        io.micrometer.core.instrument.Gauge.builder("herald.deliveries.stuck", () -> stuck)
                .description("deliveries that made no progress for watchdog.stuck-after").register(metrics.registry());
        io.micrometer.core.instrument.Gauge.builder("herald.deliveries.in.memory", () -> consumer.inMemory().size())
                .description("records of herald.deliveries in memory (received, not yet settled)").register(metrics.registry());
    }

    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void check() {
        if (outages.any()) {
            return; // waiting out an outage on purpose
        }
        long now = System.nanoTime();
        int found = 0;
        for (Fresh fresh : consumer.inMemory()) {
            Lane lane = lanes.lane(fresh.delivery.destination().key());
            long progress = lane == null ? fresh.progressNanos : Math.max(fresh.progressNanos, lane.progressNanos());
            if (!fresh.done() && now - progress > stuckAfterNanos) {
                found++;
                report(fresh, () -> {
                    try (LogFields fields = fresh.trace.fields(fresh.delivery)) {
                        LOG.errorf("delivery %s to %s is stuck: no progress for %d s (received %d s ago)",
                                fresh.delivery.id(), fresh.delivery.destination().key(), (now - progress) / 1_000_000_000L,
                                (now - fresh.receivedNanos) / 1_000_000_000L);
                    }
                });
            }
        }
        for (Lane lane : lanes.all()) {
            if (lane.lostItsFlow(now, LOST_FLOW_NANOS)) {
                // A bug: a continuation of the lane's flow was lost. Say so loudly, then give it a new step.
                LOG.errorf("destination %s had work but its lane waited on nothing for %d s; restarted it",
                        lane.destination, (now - lane.progressNanos()) / 1_000_000_000L);
                restarted.increment();
                lane.kick();
            }
            long since = lane.operationSinceNanos();
            if (since != 0 && now - since > stuckAfterNanos) {
                found++;
                report(lane, () -> LOG.errorf("destination %s is stuck: an operation has run for %d s",
                        lane.destination, (now - since) / 1_000_000_000L));
            }
        }
        stuck = found;
    }

    private synchronized void report(Object what, Runnable log) {
        if (reported.add(what)) {
            log.run();
        }
    }

    public int stuck() {
        return stuck;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("herald-dispatcher deliveries moving").status(stuck == 0)
                .withData("stuck", stuck).build();
    }
}

package io.herald.dispatcher.delivery;

import io.herald.common.Delivery;
import io.herald.dispatcher.hosts.HostLabels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The dispatcher's delivery metrics (Prometheus at {@code /q/metrics}; all of them in docs/operations.md):
 * {@code herald_deliveries_total{kind,outcome,host}} (delivered, dead, rejected, purged; {@code host}: {@link HostLabels}),
 * {@code herald_delivery_latency_seconds{kind}} (from the notification's acceptance to its delivery),
 * {@code herald_delivery_attempt_seconds{kind,outcome}} (one send), {@code herald_delivery_retries_total{kind}},
 * {@code herald_deliveries_parked_total{kind}}, {@code herald_delivery_crashes_total}, and the gauges the lanes, the
 * watchdog and {@link BacklogGauges} register. Meters are looked up once per name and tags, not built again per
 * delivery.
 */
@ApplicationScoped
public class DeliveryMetrics {

    /** Buckets of the end-to-end latency: what an SLO on it would name (docs/operations.md). */
    private static final Duration[] LATENCY_BUCKETS = Stream.of("PT0.05S", "PT0.1S", "PT0.25S", "PT0.5S", "PT1S",
            "PT2.5S", "PT5S", "PT10S", "PT30S", "PT1M", "PT5M", "PT15M", "PT1H", "PT6H", "PT24H")
            .map(Duration::parse).toArray(Duration[]::new);

    private final MeterRegistry registry;
    private final HostLabels hosts;
    private final Map<String, Object> meters = new ConcurrentHashMap<>();
    private final Counter crashes;

    DeliveryMetrics(MeterRegistry registry, HostLabels hosts) {
        this.registry = registry;
        this.hosts = hosts;
        this.crashes = Counter.builder("herald.delivery.crashes")
                .description("unexpected failures inside the dispatcher (bugs), each retried like a transient failure")
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    static String kind(Delivery delivery) {
        return delivery.destination().matrixRoom() != null ? "matrix_room" : "push";
    }

    void finished(Delivery delivery, String state) {
        String kind = kind(delivery);
        String host = hosts.of(delivery);
        this.<Counter>meter("herald.deliveries|" + kind + "|" + state + "|" + host,
                () -> registry.counter("herald.deliveries", "outcome", state, "kind", kind, "host", host)).increment();
        if (state.equals(DeliveryLogEntry.DELIVERED) && delivery.acceptedAt() != null) {
            Duration latency = Duration.between(delivery.acceptedAt(), Instant.now());
            this.<Timer>meter("herald.delivery.latency|" + kind, () -> Timer.builder("herald.delivery.latency")
                    .description("from the notification's acceptance (received_at) to its delivery")
                    .tag("kind", kind).serviceLevelObjectives(LATENCY_BUCKETS).register(registry)).record(latency.isNegative() ? Duration.ZERO : latency);
        }
    }

    void retried(Delivery delivery) {
        String kind = kind(delivery);
        this.<Counter>meter("herald.delivery.retries|" + kind, () -> registry.counter("herald.delivery.retries", "kind", kind))
                .increment();
    }

    void parked(Delivery delivery) {
        String kind = kind(delivery);
        this.<Counter>meter("herald.deliveries.parked|" + kind,
                () -> registry.counter("herald.deliveries.parked", "kind", kind)).increment();
    }

    void crashed() {
        crashes.increment();
    }

    void attempt(Delivery delivery, String outcome, long nanos) {
        String kind = kind(delivery);
        String tag = outcome.toLowerCase(Locale.ROOT);
        this.<Timer>meter("herald.delivery.attempt|" + kind + "|" + tag, () -> Timer.builder("herald.delivery.attempt")
                .description("time of one send attempt, from the request to the answer")
                .tag("kind", kind).tag("outcome", tag)
                .publishPercentileHistogram()
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    @SuppressWarnings("unchecked")
    private <M> M meter(String key, Supplier<M> create) {
        return (M) meters.computeIfAbsent(key, k -> create.get());
    }
}

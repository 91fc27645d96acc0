package io.herald.dispatcher.delivery;

import io.herald.common.Delivery;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The dispatcher's delivery metrics (Prometheus at {@code /q/metrics}): {@code herald_deliveries_total{kind,outcome}}
 * (delivered, dead, rejected), {@code herald_delivery_attempt_seconds{kind,outcome}} (one send),
 * {@code herald_delivery_retries_total{kind}}, {@code herald_deliveries_parked_total{kind}}, and the gauges the
 * lanes and the watchdog register. Meters are looked up once per name and tags, not built again per delivery.
 */
@ApplicationScoped
public class DeliveryMetrics {

    private final MeterRegistry registry;
    private final Map<String, Object> meters = new ConcurrentHashMap<>();

    DeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    static String kind(Delivery delivery) {
        return delivery.destination().matrixRoom() != null ? "matrix_room" : "push";
    }

    void finished(Delivery delivery, String state) {
        String kind = kind(delivery);
        this.<Counter>meter("herald.deliveries|" + kind + "|" + state,
                () -> registry.counter("herald.deliveries", "outcome", state, "kind", kind)).increment();
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
        this.<Counter>meter("herald.delivery.crashes", () -> Counter.builder("herald.delivery.crashes")
                .description("unexpected failures inside the dispatcher (bugs), each retried like a transient failure")
                .register(registry)).increment();
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

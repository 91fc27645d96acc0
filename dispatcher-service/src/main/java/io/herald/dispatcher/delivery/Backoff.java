package io.herald.dispatcher.delivery;

import io.herald.dispatcher.DispatcherConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A destination's backoff after transient failures in a row: a random wait up to {@code initial}, then up to twice
 * that per further failure, capped ("full jitter"). The first retry comes within tens of milliseconds, so a flaky
 * path costs little; a success resets it. Sustained failure of a whole host is the circuit's business, not this one's.
 */
@ApplicationScoped
public class Backoff {

    private final long initialMillis;
    private final long maxMillis;

    @Inject
    Backoff(DispatcherConfig config) {
        this(config.backoff().initial(), config.backoff().max());
    }

    Backoff(Duration initial, Duration max) {
        this.initialMillis = Math.max(1, initial.toMillis());
        this.maxMillis = Math.max(initialMillis, max.toMillis());
    }

    /** The wait before the next attempt after {@code failures} failures in a row (1, 2, ...). */
    public Duration delay(int failures) {
        long ceiling = initialMillis << Math.min(Math.max(failures - 1, 0), 40);
        long capped = ceiling <= 0 || ceiling > maxMillis ? maxMillis : ceiling;
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(capped + 1));
    }
}

package io.herald.dispatcher.delivery;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Exponential backoff with jitter: the initial delay doubling per attempt up to a cap, each delay ±20%. */
@ApplicationScoped
public class Backoff {

    private final Duration initial;
    private final Duration max;

    Backoff(@ConfigProperty(name = "herald.dispatcher.backoff.initial") Duration initial,
            @ConfigProperty(name = "herald.dispatcher.backoff.max") Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /** Delay before attempt {@code attempt + 1}, where {@code attempt} counts the failures so far (1, 2, ...). */
    public Duration delay(int attempt) {
        long base = initial.toMillis() << Math.min(Math.max(attempt - 1, 0), 30);
        long capped = Math.min(base <= 0 ? max.toMillis() : base, max.toMillis());
        double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        return Duration.ofMillis(Math.round(capped * jitter));
    }
}

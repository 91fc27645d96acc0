package io.herald.dispatcher.limits;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Keeps Herald under the homeserver's own limits instead of tripping them: at most
 * {@code herald.dispatcher.homeserver.max-concurrency} requests in flight per homeserver, and at most
 * {@code herald.dispatcher.account.rate-per-second} sends per account (token bucket with
 * {@code herald.dispatcher.account.burst}). Waiting never blocks a thread.
 */
@ApplicationScoped
public class SendLimits {

    private final int maxConcurrency;
    private final double ratePerSecond;
    private final int burst;
    private final Map<String, AsyncSemaphore> homeservers = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> accounts = new ConcurrentHashMap<>();

    @Inject
    SendLimits(io.herald.dispatcher.DispatcherConfig config) {
        this(config.homeserver().maxConcurrency(), config.account().ratePerSecond(), config.account().burst());
    }

    SendLimits(int maxConcurrency, double ratePerSecond, int burst) {
        this.maxConcurrency = maxConcurrency;
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
    }

    /** Runs {@code send} once the account's rate and the homeserver's concurrency allow it. */
    public <T> Uni<T> limited(String homeserver, String account, Supplier<Uni<T>> send) {
        Duration wait = accounts.computeIfAbsent(account, a -> new TokenBucket(ratePerSecond, burst)).reserve();
        AsyncSemaphore permits = homeservers.computeIfAbsent(homeserver, h -> new AsyncSemaphore(maxConcurrency));
        if (wait.isZero() && permits.tryAcquire()) {
            return send.get().onTermination().invoke(permits::release); // the common case: nothing to wait for
        }
        Uni<Void> paced = wait.isZero() ? Uni.createFrom().voidItem()
                : Uni.createFrom().voidItem().onItem().delayIt().by(wait);
        return paced
                .flatMap(ignored -> Uni.createFrom().completionStage(permits::acquire))
                .flatMap(ignored -> send.get().onTermination().invoke(permits::release));
    }

    /** Tokens refill at {@code rate} per second up to {@code burst}; a reservation may go into debt and waits it off. */
    static final class TokenBucket {
        private final double rate;
        private final double capacity;
        private double tokens;
        private long last = System.nanoTime();

        TokenBucket(double rate, int burst) {
            this.rate = rate;
            this.capacity = Math.max(1, burst);
            this.tokens = capacity;
        }

        synchronized Duration reserve() {
            long now = System.nanoTime();
            tokens = Math.min(capacity, tokens + (now - last) / 1e9 * rate);
            last = now;
            tokens -= 1;
            return tokens >= 0 ? Duration.ZERO : Duration.ofNanos((long) (-tokens / rate * 1e9));
        }
    }
}

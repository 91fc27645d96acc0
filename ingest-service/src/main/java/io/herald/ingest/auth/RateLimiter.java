package io.herald.ingest.auth;

import io.herald.ingest.IngestConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One token bucket per API key, in memory (per instance). */
@ApplicationScoped
public class RateLimiter {

    private final IngestConfig config;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(IngestConfig config) {
        this.config = config;
    }

    /** 0 when the request may proceed, else how many seconds to wait (at least 1). */
    public long acquire(ApiKey key) {
        double rate = key.ratePerSecond() != null ? key.ratePerSecond() : config.rateLimit().perSecond();
        int burst = key.burst() != null ? key.burst() : config.rateLimit().burst();
        Bucket bucket = buckets.computeIfAbsent(key.id(), id -> new Bucket(burst));
        return bucket.take(rate, burst, System.nanoTime());
    }

    static final class Bucket {
        private double tokens;
        private long last;

        Bucket(int burst) {
            this.tokens = burst;
            this.last = System.nanoTime();
        }

        synchronized long take(double rate, int burst, long now) {
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            if (rate <= 0) {
                return 60;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / rate));
        }
    }
}

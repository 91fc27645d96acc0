package io.herald.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Hits and misses of one of Herald's own in-memory caches, as {@code cache_gets_total{cache,result}}: the name and
 * labels Micrometer's cache binders use (the dispatcher's Caffeine cache of accounts is bound with them), so one
 * query gives every cache's hit rate.
 */
public final class CacheMetrics {

    private final Counter hits;
    private final Counter misses;

    private CacheMetrics(Counter hits, Counter misses) {
        this.hits = hits;
        this.misses = misses;
    }

    public static CacheMetrics register(MeterRegistry registry, String cache) {
        return new CacheMetrics(counter(registry, cache, "hit"), counter(registry, cache, "miss"));
    }

    private static Counter counter(MeterRegistry registry, String cache, String result) {
        return Counter.builder("cache.gets").tags("cache", cache, "result", result)
                .description("cache lookups, by whether they found the entry").register(registry);
    }

    public void hit() {
        hits.increment();
    }

    public void miss() {
        misses.increment();
    }
}

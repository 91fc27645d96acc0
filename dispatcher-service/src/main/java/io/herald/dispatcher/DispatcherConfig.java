package io.herald.dispatcher;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything under {@code herald.dispatcher.*}. Defaults are listed in README.md ("Configuration"). */
@ConfigMapping(prefix = "herald.dispatcher")
public interface DispatcherConfig {

    /** Longest wait for one homeserver or gateway answer. */
    @WithDefault("30s")
    Duration requestTimeout();

    /** Longest wait for a TCP (and TLS) connection. */
    @WithDefault("10s")
    Duration connectTimeout();

    /** How long a delivery may be retried before it is dead-lettered, counted from its creation. */
    @WithDefault("24h")
    Duration maxRetryDuration();

    /** Tries of a fresh delivery in memory before it (and its destination) is parked in PostgreSQL. */
    @WithDefault("3")
    int quickAttempts();

    /** A wait longer than this (a 429's {@code Retry-After}, a long backoff) parks the delivery instead of holding it in memory. */
    @WithDefault("2s")
    Duration maxInMemoryWait();

    /** Fresh records in memory (received, not yet acknowledged) per instance, across all destinations. */
    @WithDefault("1000")
    int maxInFlight();

    /** Records one destination may hold in memory; more are parked (its order kept). */
    @WithDefault("100")
    int maxPerDestination();

    /** Share of {@link #maxInFlight()} one homeserver or gateway may hold; more are parked (their order kept). */
    @WithDefault("0.25")
    double maxHostShare();

    Backoff backoff();

    Circuit circuit();

    /** Clamp of the waits peers ask for ({@code Retry-After}, {@code retry_after_ms}). */
    RetryAfter retryAfter();

    Homeserver homeserver();

    Gateway gateway();

    Account account();

    Watchdog watchdog();

    Rebalance rebalance();

    Retention retention();

    Outbound outbound();

    Discovery discovery();

    /**
     * A room message sent more than this after its notification was accepted says so: "queued since 14:02 UTC (3 h 12
     * min late)" ({@code send.LateMarker}).
     */
    @WithDefault("5m")
    Duration lateAfter();

    Metrics metrics();

    /**
     * Where the other dispatcher instances reach this one's API (the deliveries it holds in memory, for a room's queue),
     * e.g. {@code http://$(POD_IP):8083}; by default {@code http://<quarkus.http.host, or this host's address when it
     * listens on every interface>:<quarkus.http.port>}.
     */
    Optional<String> advertisedUrl();

    /** Per destination: the first retry after a transient failure waits up to {@code initial}, doubling up to {@code max}. */
    interface Backoff {
        @WithDefault("10ms")
        Duration initial();

        @WithDefault("5m")
        Duration max();
    }

    /**
     * Per homeserver or gateway host: the circuit opens after {@code failures} transient failures in a row (no success
     * between them) that span at least {@code min-span}, or after {@code failures} times two of them; while open,
     * nothing is sent there but one probe every {@code probe-initial}, doubling up to {@code probe-max}.
     */
    interface Circuit {
        @WithDefault("10")
        int failures();

        @WithDefault("2s")
        Duration minSpan();

        @WithDefault("1s")
        Duration probeInitial();

        @WithDefault("5s")
        Duration probeMax();
    }

    interface RetryAfter {
        /** Longer waits are cut to this (a peer asking for days is answered sooner, and again if it still refuses). */
        @WithDefault("1h")
        Duration max();
    }

    interface Homeserver {
        /** Requests in flight per homeserver. */
        @WithDefault("32")
        int maxConcurrency();
    }

    interface Gateway {
        /** Connections kept per push gateway. */
        @WithDefault("32")
        int maxConnections();
    }

    interface Account {
        /** Sends per second per Matrix account (token bucket), to stay under the homeserver's own rate limit. */
        @WithDefault("20")
        double ratePerSecond();

        @WithDefault("50")
        int burst();

        /** How long decrypted account credentials are kept in memory (change events evict them sooner). */
        @WithDefault("5m")
        Duration cacheTtl();
    }

    interface Watchdog {
        /** A delivery making no progress for this long is reported stuck: logged, counted, and liveness fails. */
        @WithDefault("5m")
        Duration stuckAfter();
    }

    interface Rebalance {
        /**
         * How long a revoked partition's in-flight work may take to become durable before the partition is let go
         * (within the consumer's {@code max.poll.interval.ms}, 5 min by default).
         */
        @WithDefault("60s")
        Duration drainTimeout();
    }

    interface Retention {
        /** Rows of the delivery log older than this (last update) are deleted. */
        @WithDefault("30d")
        Duration deliveryLog();

        /** Dead letters older than this are deleted. */
        @WithDefault("90d")
        Duration deadLetters();

        /** Rows deleted per statement, so pruning never holds long locks. */
        @WithDefault("5000")
        int batch();

        /** How often pruning runs. */
        @WithDefault("10m")
        Duration every();
    }

    /**
     * Where outbound requests may go although the address is internal (loopback, private, link-local, ...: see
     * docs/architecture.md, "Outbound requests").
     */
    interface Outbound {
        /** Networks (CIDRs) every outbound request may go to: push gateways and homeservers. */
        Optional<List<String>> allowedNetworks();

        /**
         * Networks (CIDRs) only homeservers may be in (account URLs, discovery, logins, joins, room sends), not pusher
         * URLs: a private homeserver's network without opening it to the URLs users register as pushers.
         */
        Optional<List<String>> homeserverNetworks();
    }

    interface Discovery {
        /** Scheme of {@code /.well-known/matrix/client} lookups (https; tests use http). */
        @WithDefault("https")
        String scheme();
    }

    /** Labels of the per-host metrics (docs/operations.md). */
    interface Metrics {
        /**
         * Distinct {@code host} label values (homeserver and push gateway hosts) the metrics name; further hosts are
         * counted as {@code other}, so pusher URLs users register cannot grow the series without bound.
         */
        @WithDefault("100")
        int maxHosts();
    }
}

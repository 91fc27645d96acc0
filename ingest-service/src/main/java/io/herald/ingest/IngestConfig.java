package io.herald.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Everything under {@code herald.ingest.*}. */
@ConfigMapping(prefix = "herald.ingest")
public interface IngestConfig {

    /** Default sender of API keys created without one. */
    @WithDefault("@herald:localhost")
    String sender();

    /** How long a request waits for Kafka's acknowledgement before answering 503. */
    @WithDefault("10s")
    Duration publishTimeout();

    /**
     * Deprecated: a service token with the admin role (on ingest only). Use {@code herald.auth.tokens.<name>.*}.
     */
    Optional<String> adminToken();

    RateLimit rateLimit();

    Idempotency idempotency();

    /**
     * How long a verified API key is trusted without asking the database again. A revocation reaches every instance at
     * once through {@code herald.changes}; this bounds how long a revoked key keeps working on another instance when
     * that change event is lost (Kafka unreachable when the key was revoked).
     */
    @WithDefault("1m")
    Duration apiKeyCacheTtl();

    /** Largest Matrix-shaped event accepted by {@code POST /v1/rooms/{room}/events} (a Matrix event's limit). */
    @WithDefault("65536")
    int maxEventSize();

    Alertmanager alertmanager();

    /** Generic JSON webhooks by name. */
    Map<String, Webhook> webhooks();

    /** The dispatcher's sender-queue API, which ingest calls for API keys (status, queue, purge, flush). */
    Dispatcher dispatcher();

    interface Dispatcher {
        /** Base URL of the dispatcher's API. */
        @WithDefault("http://localhost:8083")
        String url();

        /**
         * A service token ({@code hrldt_…}) with the operator role on the dispatcher, of every tenant (ingest passes the
         * key's tenant). Without it the status and queue endpoints answer 503.
         */
        Optional<String> token();

        @WithDefault("10s")
        Duration timeout();
    }

    interface RateLimit {
        @WithDefault("50")
        double perSecond();

        @WithDefault("100")
        int burst();
    }

    interface Idempotency {
        @WithDefault("24h")
        Duration retention();
    }

    interface Alertmanager {
        /** {@code alert}: one notification per alert; {@code group}: one per webhook call. */
        @WithDefault("alert")
        String mode();

        @WithDefault("true")
        boolean resolvedSilent();
    }

    /** Where a generic webhook finds the notification's fields: JSON pointers into the posted document. */
    interface Webhook {
        Optional<String> subject();

        String body();

        Optional<String> link();

        Optional<String> silent();

        /** {@code plain} or {@code markdown}. */
        @WithDefault("plain")
        String format();
    }
}

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

    /** The rules-service's API, which the console calls (rooms, members, the evaluate API). */
    Rules rules();

    interface Rules {
        /** Base URL of the rules-service's API. */
        @WithDefault("http://localhost:8082")
        String url();
    }

    /** The operator's console at {@code /console} (docs/console.md). */
    Console console();

    interface Console {
        /** Base URL of ingest's own API as the console calls it; unset: this server on the request's port. */
        Optional<String> ingestUrl();

        /**
         * Base64 of a 32-byte AES key sealing the session cookies; the same on every instance behind one address.
         * Unset: a key generated at start (sessions end when the instance restarts).
         */
        Optional<String> cookieKey();

        /** How long a sign-in lasts. */
        @WithDefault("8h")
        Duration sessionTimeout();

        /**
         * The notification page's trace link: a trace viewer's URL with {@code {notification_id}} in it, e.g.
         * Jaeger's search by tag, {@code http://jaeger:16686/search?service=herald-ingest&tags=%7B%22herald.notification.id%22%3A%22{notification_id}%22%7D}.
         * Unset: no link.
         */
        Optional<String> traceUrl();
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

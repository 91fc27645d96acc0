package io.herald.console;

import java.time.Duration;
import java.util.Optional;

/**
 * What the console needs from the service that serves it (ingest-service produces it from its own configuration,
 * {@code herald.ingest.*}): where the three services' APIs are, and the key of its session cookies.
 */
public interface ConsoleSettings {

    /** Base URL of ingest's API; empty: this same server, on the port the request came in on. */
    Optional<String> ingestUrl();

    String rulesUrl();

    String dispatcherUrl();

    /** Base64 of a 32-byte AES key for session cookies; empty: a key generated at start (sessions end on restart). */
    Optional<String> cookieKey();

    /** How long a sign-in lasts (the credential itself may expire sooner: the APIs then answer 401). */
    Duration sessionTimeout();

    /** How long a call to a service's API may take. */
    Duration timeout();

    /**
     * A trace viewer's page of one notification's trace, {@code {notification_id}} standing for its id (the spans
     * carry it as {@code herald.notification.id}); empty: the console shows no trace link.
     */
    default Optional<String> traceUrl() {
        return Optional.empty();
    }
}

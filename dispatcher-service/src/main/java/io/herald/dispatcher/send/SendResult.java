package io.herald.dispatcher.send;

import java.time.Duration;

/**
 * How one send attempt ended: the closed set of outcomes every {@link Sender} maps its answers to (by
 * {@link Answers}), and the only thing the delivery pipeline decides on.
 */
public sealed interface SendResult {

    /** HTTP status of the answer; null when there was none (timeout, connection error, a refusal before sending). */
    Integer status();

    /** Readable reason for the log and dead letters; null for a plain success. Never contains a secret. */
    String reason();

    /** 2xx. {@code eventId} is the Matrix event id of a room send (null for pushes or when the answer had none usable). */
    record Delivered(Integer status, String eventId, String reason) implements SendResult {
        @Override
        public String outcome() {
            return "delivered";
        }
    }

    /**
     * Worth trying again: 429, 5xx, a timeout, a connection error.
     *
     * @param retryAfter  what the peer asked for (already clamped), or null to use the backoff
     * @param hostFailure true when the host itself failed (5xx, timeout, connection): counts against its circuit; a
     *                    429 does not (the host is up and only asks to slow down)
     */
    record Retry(Integer status, String reason, Duration retryAfter, boolean hostFailure) implements SendResult {
        @Override
        public String outcome() {
            return "retry";
        }
    }

    /**
     * Not sent, and not a failure: the delivery waits for something else first (a push, for its room delivery's event
     * id). It neither counts against the host's circuit nor grows the destination's backoff, so the delivery goes out
     * at most {@code poll} after what it waits for is done, however long that took.
     */
    record Waiting(String reason, Duration poll) implements SendResult {
        @Override
        public Integer status() {
            return null;
        }

        @Override
        public String outcome() {
            return "waiting";
        }
    }

    /** Will never succeed as it is (4xx other than 429, an unknown account, a refused URL): dead letter. */
    record Rejected(Integer status, String reason) implements SendResult {
        @Override
        public String outcome() {
            return "rejected";
        }
    }

    /** The push gateway rejected the pushkey: never retried, the pusher is removed. */
    record PushkeyRejected(Integer status) implements SendResult {
        @Override
        public String reason() {
            return "the gateway rejected the pushkey";
        }

        @Override
        public String outcome() {
            return "pushkey_rejected";
        }
    }

    /** 401 {@code M_UNKNOWN_TOKEN}: the room sender's re-login decorator handles it; never leaves a {@link Sender} chain. */
    record UnknownToken(Integer status, String reason) implements SendResult {
        @Override
        public String outcome() {
            return "unknown_token";
        }
    }

    static SendResult delivered(int status, String eventId) {
        return new Delivered(status, eventId, null);
    }

    static SendResult retry(Integer status, String reason) {
        return new Retry(status, reason, null, true);
    }

    static SendResult rejected(Integer status, String reason) {
        return new Rejected(status, reason);
    }

    /** The lower-case name used in attempt records and metrics. */
    String outcome();
}

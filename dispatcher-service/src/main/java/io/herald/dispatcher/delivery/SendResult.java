package io.herald.dispatcher.delivery;

import java.time.Duration;

/**
 * How one attempt ended, classified by the failure table of DESIGN.md.
 *
 * @param retryAfter the wait the peer asked for (429), or null to use the backoff
 * @param reason     readable reason: status, errcode and error, or the I/O failure
 */
public record SendResult(Outcome outcome, Integer status, String reason, Duration retryAfter, String eventId) {

    public enum Outcome {
        /** 2xx: done. */
        DELIVERED,
        /** 429, 5xx, timeout, connection error: try again later. */
        RETRY,
        /** 4xx other than 429: will never succeed as is; dead letter. */
        REJECTED,
        /** The push gateway answered that the pushkey is rejected: never retried; the pusher is removed. */
        PUSHKEY_REJECTED,
        /** 401 M_UNKNOWN_TOKEN: log in again (if a password is stored) and retry once, else dead letter. */
        UNKNOWN_TOKEN
    }

    public static SendResult delivered(int status, String eventId) {
        return new SendResult(Outcome.DELIVERED, status, null, null, eventId);
    }

    public static SendResult retry(Integer status, String reason, Duration retryAfter) {
        return new SendResult(Outcome.RETRY, status, reason, retryAfter, null);
    }

    public static SendResult pushkeyRejected(int status) {
        return new SendResult(Outcome.PUSHKEY_REJECTED, status, "the gateway rejected the pushkey", null, null);
    }

    public static SendResult rejected(int status, String reason) {
        return new SendResult(Outcome.REJECTED, status, reason, null, null);
    }
}

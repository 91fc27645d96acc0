package io.herald.dispatcher.send;

import io.herald.dispatcher.http.SafeText;
import java.time.Instant;

/** One attempt of a delivery, as kept in the delivery log, the parking lot and with dead letters. */
public record AttemptRecord(Instant at, Integer status, String outcome, String detail) {

    public static AttemptRecord of(SendResult result) {
        return new AttemptRecord(Instant.now(), result.status(), result.outcome(), SafeText.of(result.reason()));
    }

    /** An attempt that ended in an unexpected failure of Herald's own (a bug): retried like a transient failure. */
    public static AttemptRecord crash(Throwable e) {
        return new AttemptRecord(Instant.now(), null, "crash", SafeText.of("internal error: " + e));
    }
}

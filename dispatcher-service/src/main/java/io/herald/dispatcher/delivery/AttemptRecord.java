package io.herald.dispatcher.delivery;

import io.herald.dispatcher.send.Answers;
import io.herald.dispatcher.send.SendResult;
import java.time.Instant;

/** One attempt of a delivery, as kept in the delivery log, the parking lot and with dead letters. */
public record AttemptRecord(Instant at, Integer status, String outcome, String detail) {

    static AttemptRecord of(SendResult result) {
        return new AttemptRecord(Instant.now(), result.status(), result.outcome(), Answers.text(result.reason()));
    }

    /** An attempt that ended in an unexpected failure of Herald's own (a bug): retried like a transient failure. */
    static AttemptRecord crash(Throwable e) {
        return new AttemptRecord(Instant.now(), null, "crash", Answers.text("internal error: " + e));
    }
}

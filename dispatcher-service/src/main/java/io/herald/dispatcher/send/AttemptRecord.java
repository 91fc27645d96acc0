package io.herald.dispatcher.send;

import io.herald.dispatcher.http.SafeText;
import java.time.Instant;
import java.util.List;

/**
 * One attempt of a delivery, as kept in the delivery log, the parking lot and with dead letters; {@code nextAttemptAt}:
 * when the next try was due, if one was planned after this one.
 */
public record AttemptRecord(Instant at, Integer status, String outcome, String detail, Instant nextAttemptAt) {

    public AttemptRecord(Instant at, Integer status, String outcome, String detail) {
        this(at, status, outcome, detail, null);
    }

    /** Notes on the last attempt of {@code history} (a mutable list) when the next one is due. */
    public static void nextAttemptAt(List<AttemptRecord> history, Instant due) {
        int last = history.size() - 1;
        if (last >= 0) {
            AttemptRecord a = history.get(last);
            try {
                history.set(last, new AttemptRecord(a.at, a.status, a.outcome, a.detail, due));
            } catch (UnsupportedOperationException e) {
                // an immutable history (tests): nothing to note on
            }
        }
    }

    /**
     * Adds an attempt to {@code history} (a mutable list); a wait that follows a wait replaces it and keeps its
     * {@code at} (when the wait began, and the key the delivery log merges attempts by), so a push waiting an hour for
     * its room delivery keeps one entry, not hundreds.
     */
    public static void append(List<AttemptRecord> history, SendResult result) {
        AttemptRecord record = of(result);
        int last = history.size() - 1;
        if (result instanceof SendResult.Waiting && last >= 0 && "waiting".equals(history.get(last).outcome)) {
            history.set(last, new AttemptRecord(history.get(last).at, null, record.outcome, record.detail));
        } else {
            history.add(record);
        }
    }

    public static AttemptRecord of(SendResult result) {
        return new AttemptRecord(Instant.now(), result.status(), result.outcome(), SafeText.of(result.reason()));
    }

    /** An attempt that ended in an unexpected failure of Herald's own (a bug): retried like a transient failure. */
    public static AttemptRecord crash(Throwable e) {
        return new AttemptRecord(Instant.now(), null, "crash", SafeText.of("internal error: " + e));
    }
}

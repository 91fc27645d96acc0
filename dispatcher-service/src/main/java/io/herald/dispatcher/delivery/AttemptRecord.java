package io.herald.dispatcher.delivery;

import java.time.Instant;

/** One attempt of a delivery, as kept in the delivery log and with dead letters. */
public record AttemptRecord(Instant at, Integer status, String outcome, String detail) {

    static AttemptRecord of(SendResult result) {
        return new AttemptRecord(Instant.now(), result.status(), result.outcome().name().toLowerCase(java.util.Locale.ROOT),
                result.reason());
    }
}

package io.herald.common;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A record of {@value Topics#NOTIFICATIONS}, keyed by {@link #room()}.
 *
 * @param id         unique; the idempotency key of everything derived from this notification
 * @param room       Herald room key
 * @param event      the Matrix-shaped event push rules are evaluated on, and whose content is sent
 * @param receivedAt when Herald (or the producer) accepted it
 * @param source     free-form origin, e.g. {@code http}, {@code alertmanager}, a producer's name
 */
public record NotificationEvent(String id, String room, MatrixEvent event, Instant receivedAt, String source) {

    /** Checks what a producer writing to Kafka directly could get wrong. */
    public void validate() {
        List<String> problems = new ArrayList<>();
        if (isBlank(id)) {
            problems.add("'id' is required");
        }
        if (isBlank(room)) {
            problems.add("'room' is required");
        }
        if (event == null) {
            problems.add("'event' is required");
        } else {
            if (isBlank(event.type())) {
                problems.add("'event.type' is required");
            }
            if (event.content() == null) {
                problems.add("'event.content' must be an object");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRecordException(String.join("; ", problems));
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}

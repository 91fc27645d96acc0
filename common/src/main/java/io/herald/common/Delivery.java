package io.herald.common;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A record of {@value Topics#DELIVERIES}, keyed by {@link Destination#key()}: one notification to one destination.
 *
 * @param id             deterministic ({@link #idFor}): a re-published delivery keeps its id, so its Matrix txnId
 * @param notificationId the notification it came from
 * @param room           Herald room key
 * @param destination    where it goes
 * @param event          what to send (type and content)
 * @param tweaks         push-rule tweaks (sound, highlight, ...)
 * @param priority       {@code high} or {@code low} (Push Gateway {@code prio})
 * @param attempt        number of attempts already made
 * @param deadline       when retrying stops and the delivery is dead-lettered
 * @param createdAt      when the delivery was created
 * @param tenant         the tenant that owns the room (null for records written before tenants existed)
 * @param acceptedAt     when Herald accepted the notification (its {@code received_at}): the order replays keep, and
 *                       what a late delivery is measured from
 */
public record Delivery(String id, String notificationId, String room, Destination destination, MatrixEvent event,
        Map<String, Object> tweaks, String priority, int attempt, Instant deadline, Instant createdAt, String tenant,
        Instant acceptedAt) {

    /** A delivery without tenant and acceptance time (tests, older producers). */
    public Delivery(String id, String notificationId, String room, Destination destination, MatrixEvent event,
            Map<String, Object> tweaks, String priority, int attempt, Instant deadline, Instant createdAt) {
        this(id, notificationId, room, destination, event, tweaks, priority, attempt, deadline, createdAt, null, null);
    }

    /** The same notification to the same destination always yields the same delivery id. */
    public static String idFor(String notificationId, Destination destination) {
        byte[] name = (notificationId + "\n" + destination.key()).getBytes(StandardCharsets.UTF_8);
        return UUID.nameUUIDFromBytes(name).toString();
    }

    /** The Matrix transaction id for this delivery: stable across retries and redeliveries. */
    public String txnId() {
        return "herald-" + id;
    }

    public void validate() {
        List<String> problems = new ArrayList<>();
        if (id == null || id.isBlank()) {
            problems.add("'id' is required");
        }
        if (destination == null || (destination.matrixRoom() == null) == (destination.pusher() == null)) {
            problems.add("'destination' needs exactly one of 'matrix_room' or 'pusher'");
        } else if (destination.matrixRoom() != null
                && (destination.matrixRoom().account() == null || destination.matrixRoom().roomId() == null)) {
            problems.add("'destination.matrix_room' needs 'account' and 'room_id'");
        }
        if (event == null || event.type() == null || event.content() == null) {
            problems.add("'event' needs 'type' and 'content'");
        }
        if (!problems.isEmpty()) {
            throw new InvalidRecordException(String.join("; ", problems));
        }
    }
}

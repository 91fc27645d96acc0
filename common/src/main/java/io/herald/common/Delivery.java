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
 * @param push           for push deliveries: what the Push Gateway API body carries besides the event (names, counts,
 *                       the room delivery to wait for); null for room deliveries and older records
 * @param acceptedBy     the id of the API key ingest accepted the notification with (its {@code herald-api-key}
 *                       header); null for notifications written to Kafka directly and older records
 */
public record Delivery(String id, String notificationId, String room, Destination destination, MatrixEvent event,
        Map<String, Object> tweaks, String priority, int attempt, Instant deadline, Instant createdAt, String tenant,
        Instant acceptedAt, PushContext push, String acceptedBy) {

    /** A delivery without the key that accepted it (tests, older producers). */
    public Delivery(String id, String notificationId, String room, Destination destination, MatrixEvent event,
            Map<String, Object> tweaks, String priority, int attempt, Instant deadline, Instant createdAt, String tenant,
            Instant acceptedAt, PushContext push) {
        this(id, notificationId, room, destination, event, tweaks, priority, attempt, deadline, createdAt, tenant,
                acceptedAt, push, null);
    }

    /** A delivery without push context (room deliveries, older producers). */
    public Delivery(String id, String notificationId, String room, Destination destination, MatrixEvent event,
            Map<String, Object> tweaks, String priority, int attempt, Instant deadline, Instant createdAt, String tenant,
            Instant acceptedAt) {
        this(id, notificationId, room, destination, event, tweaks, priority, attempt, deadline, createdAt, tenant,
                acceptedAt, null);
    }

    /** A delivery without tenant and acceptance time (tests, older producers). */
    public Delivery(String id, String notificationId, String room, Destination destination, MatrixEvent event,
            Map<String, Object> tweaks, String priority, int attempt, Instant deadline, Instant createdAt) {
        this(id, notificationId, room, destination, event, tweaks, priority, attempt, deadline, createdAt, null, null);
    }

    /**
     * This delivery sent again (a replayed dead letter): the same id and everything it carries, no attempts, created
     * {@code now} with a fresh {@code deadline}; {@code accepted_at} stays (its creation time for older records).
     */
    public Delivery again(Instant now, Instant deadline) {
        return new Delivery(id, notificationId, room, destination, event, tweaks, priority, 0, deadline, now, tenant,
                acceptedAt != null ? acceptedAt : createdAt, push, acceptedBy);
    }

    /** This delivery, accepted by the API key {@code keyId} (null: unknown). */
    public Delivery acceptedBy(String keyId) {
        return keyId == null ? this : new Delivery(id, notificationId, room, destination, event, tweaks, priority,
                attempt, deadline, createdAt, tenant, acceptedAt, push, keyId);
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

    /** Longest delivery id ({@link #idFor} makes UUIDs, 36 characters). */
    public static final int MAX_ID = 64;
    /** Longest destination key: it is stored and indexed by the dispatcher. */
    public static final int MAX_DESTINATION_KEY = 2000;

    /**
     * Checks what the dispatcher relies on: the required fields, and the limits of what it stores (ids without control
     * characters, lengths within its columns, the Matrix spec's limits for app_id and pushkey). A record that fails is
     * dead-lettered on arrival instead of failing later, when its row is written.
     */
    public void validate() {
        List<String> problems = new ArrayList<>();
        if (id == null || id.isBlank()) {
            problems.add("'id' is required");
        }
        text(problems, "id", id, MAX_ID);
        text(problems, "notification_id", notificationId, 255);
        text(problems, "room", room, 128);
        text(problems, "tenant", tenant, 128);
        text(problems, "accepted_by", acceptedBy, MAX_ID);
        if (destination == null || (destination.matrixRoom() == null) == (destination.pusher() == null)) {
            problems.add("'destination' needs exactly one of 'matrix_room' or 'pusher'");
        } else if (destination.matrixRoom() != null) {
            if (destination.matrixRoom().account() == null || destination.matrixRoom().roomId() == null) {
                problems.add("'destination.matrix_room' needs 'account' and 'room_id'");
            }
            text(problems, "destination.matrix_room.account", destination.matrixRoom().account(), 128);
            text(problems, "destination.matrix_room.room_id", destination.matrixRoom().roomId(), 255);
        } else {
            Destination.Pusher p = destination.pusher();
            if (p.url() == null || !(p.url().startsWith("https://") || p.url().startsWith("http://"))) {
                problems.add("'destination.pusher.url' must be an http(s) URL");
            }
            text(problems, "destination.pusher.url", p.url(), 1024);
            text(problems, "destination.pusher.app_id", p.appId(), 64);
            text(problems, "destination.pusher.pushkey", p.pushkey(), 512);
        }
        if (destination != null && problems.isEmpty() && destination.key().length() > MAX_DESTINATION_KEY) {
            problems.add("the destination key is longer than " + MAX_DESTINATION_KEY + " characters");
        }
        if (event == null || event.type() == null || event.content() == null) {
            problems.add("'event' needs 'type' and 'content'");
        } else {
            text(problems, "event.type", event.type(), 255);
        }
        if (!problems.isEmpty()) {
            throw new InvalidRecordException(String.join("; ", problems));
        }
    }

    /** A stored text field: at most {@code max} characters, no control characters (a NUL cannot be stored). */
    private static void text(List<String> problems, String field, String value, int max) {
        if (value == null) {
            return;
        }
        if (value.length() > max) {
            problems.add("'" + field + "' is longer than " + max + " characters");
        } else if (hasControlCharacter(value)) {
            problems.add("'" + field + "' contains control characters");
        }
    }

    // A plain loop: this runs for every field of every delivery the dispatcher reads (a stream here cost 3% of its CPU).
    private static boolean hasControlCharacter(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}

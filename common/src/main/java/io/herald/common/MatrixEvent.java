package io.herald.common;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Matrix event as push rules see it: {@code type}, {@code sender}, {@code content}, optional {@code state_key} and
 * {@code event_id}; and, for room events as a homeserver has them ({@value Topics#EVENTS}), {@code room_id},
 * {@code origin_server_ts} and {@code unsigned}. The same shape everywhere: in {@link NotificationEvent}s, in
 * deliveries and on {@value Topics#EVENTS}.
 */
public record MatrixEvent(String type, String sender, Map<String, Object> content, String stateKey, String eventId,
        String roomId, Long originServerTs, Map<String, Object> unsigned) {

    /** The ephemeral event that carries read receipts ({@code content}: event id → receipt type → user → data). */
    public static final String RECEIPT = "m.receipt";

    /** An event without room id, timestamp and unsigned data (notifications, tests). */
    public MatrixEvent(String type, String sender, Map<String, Object> content, String stateKey, String eventId) {
        this(type, sender, content, stateKey, eventId, null, null, null);
    }

    public static MatrixEvent message(String sender, Map<String, Object> content) {
        return new MatrixEvent("m.room.message", sender, content, null, null);
    }

    /** A copy in room {@code roomId} with event id {@code eventId}. */
    public MatrixEvent in(String roomId, String eventId) {
        return new MatrixEvent(type, sender, content, stateKey, eventId, roomId, originServerTs, unsigned);
    }

    /** A state event: it has a {@code state_key} (possibly empty). */
    public boolean isState() {
        return stateKey != null;
    }

    /**
     * What a record of {@value Topics#EVENTS} must have: {@code room_id}, {@code type} and {@code content}, and for
     * every event but {@value #RECEIPT} (an ephemeral event) an {@code event_id} and a {@code sender}; within the limits
     * of {@link Limits} (64 KiB as JSON).
     */
    public List<Limits.Violation> roomEventViolations() {
        List<Limits.Violation> problems = new ArrayList<>(0);
        add(problems, "room_id", roomId == null || roomId.isEmpty() ? "is required" : Limits.matrixStringProblem(roomId));
        add(problems, "type", type == null || type.isEmpty() ? "is required" : Limits.matrixStringProblem(type));
        if (content == null) {
            problems.add(new Limits.Violation("content", "must be an object"));
        }
        boolean receipt = RECEIPT.equals(type);
        if (eventId != null || !receipt) {
            add(problems, "event_id", eventId == null || eventId.isEmpty() ? "is required"
                    : Limits.matrixStringProblem(eventId));
        }
        if (sender != null || !receipt) {
            add(problems, "sender", sender == null ? "is required" : Limits.userIdProblem(sender));
        }
        if (stateKey != null) {
            add(problems, "state_key", Limits.matrixStringProblem(stateKey));
        }
        if (problems.isEmpty()) {
            add(problems, "event", Limits.eventSizeProblem(this));
        }
        return problems;
    }

    private static void add(List<Limits.Violation> problems, String field, String problem) {
        Limits.add(problems, field, problem);
    }
}

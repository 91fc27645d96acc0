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
 * @param priority   optional: {@code min}, {@code low}, {@code default}, {@code high} or {@code urgent}; decides the
 *                   {@code prio} of push deliveries ({@code high}/{@code urgent}: high, {@code min}/{@code low}: low,
 *                   absent or {@code default}: as the push rules say)
 * @param account    optional: the dispatcher account to post into the room as, instead of the room's own; used only
 *                   when the room lists it among its {@code source_accounts}
 */
public record NotificationEvent(String id, String room, MatrixEvent event, Instant receivedAt, String source,
        String priority, String account) {

    /** The priorities a notification may carry, lowest first. */
    public static final List<String> PRIORITIES = List.of("min", "low", "default", "high", "urgent");

    /** A notification without priority and account of its own. */
    public NotificationEvent(String id, String room, MatrixEvent event, Instant receivedAt, String source) {
        this(id, room, event, receivedAt, source, null, null);
    }

    /**
     * Checks what a producer writing to Kafka directly could get wrong: the contract's {@link Limits}.
     *
     * @throws InvalidRecordException naming every field that breaks them
     */
    public void validate() {
        List<Limits.Violation> violations = violations();
        if (!violations.isEmpty()) {
            throw new InvalidRecordException(String.join("; ", violations.stream().map(Object::toString).toList()));
        }
    }

    /** The fields that break the contract (field names as in the record: {@code id}, {@code event.type}, ...). */
    public List<Limits.Violation> violations() {
        List<Limits.Violation> problems = new ArrayList<>(0);
        add(problems, "id", Limits.idProblem(id));
        add(problems, "room", Limits.roomKeyProblem(room));
        if (priority != null && !PRIORITIES.contains(priority)) {
            problems.add(new Limits.Violation("priority", "must be one of " + String.join(", ", PRIORITIES)));
        }
        if (account != null && !account.matches("[A-Za-z0-9._~-]{1,128}")) {
            problems.add(new Limits.Violation("account", "must be a dispatcher account id (1-128 of A-Z a-z 0-9 . _ ~ -)"));
        }
        if (event == null) {
            problems.add(new Limits.Violation("event", "is required"));
            return problems;
        }
        int before = problems.size();
        add(problems, "event.type", event.type() == null || event.type().isEmpty() ? "is required"
                : Limits.matrixStringProblem(event.type()));
        if (event.sender() != null) {
            add(problems, "event.sender", Limits.userIdProblem(event.sender()));
        }
        if (event.content() == null) {
            problems.add(new Limits.Violation("event.content", "must be an object"));
        }
        if (event.stateKey() != null) {
            add(problems, "event.state_key", Limits.matrixStringProblem(event.stateKey()));
        }
        if (event.eventId() != null) {
            add(problems, "event.event_id", Limits.matrixStringProblem(event.eventId()));
        }
        if (problems.size() == before) {
            add(problems, "event", Limits.eventSizeProblem(event));
        }
        return problems;
    }

    private static void add(List<Limits.Violation> problems, String field, String problem) {
        Limits.add(problems, field, problem);
    }
}

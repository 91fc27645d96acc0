package io.herald.common;

/** Kafka topic names: the contract between the services (see DESIGN.md, "The flow"). */
public final class Topics {
    /** Notification events, key = Herald room key. Producers may write here directly. */
    public static final String NOTIFICATIONS = "herald.notifications";
    /**
     * Matrix room events as a homeserver has them ({@link MatrixEvent}: {@code event_id}, {@code room_id}, {@code type},
     * {@code sender}, {@code origin_server_ts}, {@code content}, {@code state_key}, {@code unsigned}) and
     * {@code m.receipt} events, key = Matrix room id. The rules-service keeps the rooms' state and unread counts from
     * them and pushes as a homeserver would.
     */
    public static final String EVENTS = "herald.events";
    /**
     * Records of {@link #NOTIFICATIONS} and {@link #EVENTS} that did not parse or validate; reason in the
     * {@code dead-letter-reason} header.
     */
    public static final String NOTIFICATIONS_DLQ = "herald.notifications.dlq";
    /** One record per destination, key = {@link Destination#key()}. */
    public static final String DELIVERIES = "herald.deliveries";
    /** Deliveries that will not be retried any more; the dispatcher also keeps them in PostgreSQL. */
    public static final String DELIVERIES_DLQ = "herald.deliveries.dlq";
    /** Pushers whose pushkey a gateway rejected; the rules-service removes them. */
    public static final String PUSHERS_REJECTED = "herald.pushers.rejected";
    /**
     * Change events ({@link io.herald.common.changes.ChangeEvent}), key = what changed ({@code room:ops}); compacted.
     * Every instance of every service reads it, so a change made on one instance reaches the caches of all.
     */
    public static final String CHANGES = "herald.changes";

    private Topics() {
    }
}

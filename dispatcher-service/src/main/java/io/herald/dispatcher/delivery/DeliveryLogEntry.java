package io.herald.dispatcher.delivery;

import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.Instant;

/**
 * A row of the delivery log: where a delivery went and how it ended (or that it is waiting).
 *
 * @param history    JSON array of the attempts: at, status, outcome, detail
 * @param ruleId     for a push: the push rule that matched for its recipient
 * @param acceptedBy the id of the API key ingest accepted the notification with (null: written to Kafka directly)
 */
public record DeliveryLogEntry(String deliveryId, String notificationId, String roomKey, String destination,
        String tenant, String state, int attempts, Integer lastStatus, String lastError, String matrixEventId,
        @JsonRawValue String history, Instant createdAt, Instant updatedAt, String summary, String ruleId,
        String acceptedBy) {

    public static final String DELIVERED = "delivered";
    /** Parked after failed attempts; retried until its deadline. */
    public static final String RETRYING = "retrying";
    public static final String DEAD = "dead";
    /** A push gateway rejected the pushkey: the pusher is removed, nothing is retried. */
    public static final String REJECTED = "rejected";
    /** Dropped from its room's queue (DELETE /v1/rooms/{room}/queue) before it was sent: never sent. */
    public static final String PURGED = "purged";
}

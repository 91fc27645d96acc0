package io.herald.dispatcher.queue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import java.time.Instant;

/**
 * One delivery as senders see it: where it goes (a Matrix room and the account posting there, or a pusher's app id;
 * never a pushkey), its state ({@code pending}: not tried yet, {@code retrying}, {@code delivered}, {@code dead},
 * {@code rejected}: the pushkey, {@code purged}) and its attempts.
 */
public record DeliveryState(@JsonProperty("delivery_id") String deliveryId,
        @JsonProperty("notification_id") String notificationId, String kind, String account,
        @JsonProperty("matrix_room_id") String matrixRoomId, @JsonProperty("app_id") String appId, String state,
        int attempts, @JsonProperty("last_attempt_at") Instant lastAttemptAt,
        @JsonProperty("next_attempt_at") Instant nextAttemptAt, @JsonProperty("last_status") Integer lastStatus,
        @JsonProperty("last_error") String lastError, @JsonProperty("matrix_event_id") String matrixEventId,
        @JsonProperty("accepted_at") Instant acceptedAt, @JsonProperty("updated_at") Instant updatedAt,
        @JsonProperty("room") String room, String tenant) {

    public static final String PENDING = "pending";
    public static final String RETRYING = "retrying";

    /**
     * A delivery an instance holds in memory: {@code pending} before its first attempt, {@code retrying} after a failed
     * one (its attempts in memory are not written anywhere yet, so only their number is shown).
     */
    static DeliveryState held(Delivery d, int attempts) {
        Destination.MatrixRoom room = d.destination().matrixRoom();
        return new DeliveryState(d.id(), d.notificationId(), room != null ? "matrix_room" : "push",
                room != null ? room.account() : null, room != null ? room.roomId() : null,
                room != null ? null : d.destination().pusher().appId(), attempts == 0 ? PENDING : RETRYING, attempts,
                null, null, null, null, null, d.acceptedAt() != null ? d.acceptedAt() : d.createdAt(), null, d.room(),
                d.tenant());
    }

    /** Built from a destination key, a state and a history (JSON array of attempts). */
    static DeliveryState of(String deliveryId, String notificationId, String destination, String state, String history,
            Integer lastStatus, String lastError, String matrixEventId, Instant acceptedAt, Instant updatedAt,
            String room, String tenant) {
        String kind;
        String account = null;
        String roomId = null;
        String appId = null;
        if (destination.startsWith("room:")) {
            kind = "matrix_room";
            int colon = destination.indexOf(':', 5);
            account = colon < 0 ? null : destination.substring(5, colon);
            roomId = colon < 0 ? null : destination.substring(colon + 1);
        } else {
            kind = "push";
            int colon = destination.indexOf(':', 5);
            appId = colon < 0 ? null : destination.substring(5, colon);
        }
        JsonNode attempts = tree(history);
        JsonNode last = attempts != null && attempts.isArray() && !attempts.isEmpty() ? attempts.get(attempts.size() - 1)
                : null;
        int count = attempts != null && attempts.isArray() ? attempts.size() : 0;
        Instant lastAt = last == null ? null : instant(last.get("at"));
        Instant next = last == null || !RETRYING.equals(state) ? null : instant(last.get("next_attempt_at"));
        if (last != null && lastStatus == null && last.hasNonNull("status")) {
            lastStatus = last.get("status").asInt();
        }
        if (last != null && lastError == null && last.hasNonNull("detail")) {
            lastError = last.get("detail").asText();
        }
        return new DeliveryState(deliveryId, notificationId, kind, account, roomId, appId, state, count, lastAt, next,
                lastStatus, lastError, matrixEventId, acceptedAt, updatedAt, room, tenant);
    }

    private static JsonNode tree(String json) {
        try {
            return json == null ? null : Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static Instant instant(JsonNode node) {
        try {
            return node == null || node.isNull() ? null : Instant.parse(node.asText());
        } catch (RuntimeException e) {
            return null;
        }
    }

    boolean waiting() {
        return PENDING.equals(state) || RETRYING.equals(state);
    }
}

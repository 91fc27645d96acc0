package io.herald.rules.room;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** A room as the API shows it. */
public record RoomView(String room, @JsonProperty("matrix_room_id") String matrixRoomId, String account,
        String tenant, @JsonProperty("source_accounts") java.util.List<String> sourceAccounts,
        @JsonProperty("created_at") Instant createdAt, @JsonProperty("updated_at") Instant updatedAt) {

    static RoomView of(Room room) {
        return new RoomView(room.key, room.matrixRoomId, room.account, room.tenant,
                room.sourceAccounts == null ? null : java.util.List.of(room.sourceAccounts.split(",")),
                room.createdAt, room.updatedAt);
    }
}

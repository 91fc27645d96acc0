package io.herald.rules.room;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code PUT /v1/rooms/{room}}: both link fields, or neither (a room without a Matrix room). Room ids of room
 * version 12 and later have no server part ({@code !} and the create event's hash); older ones are {@code !opaque:server}.
 */
public record RoomRequest(
        @JsonProperty("matrix_room_id") @Pattern(regexp = "![^:\\s\\p{Cc}]+(:[^\\s\\p{Cc}]+)?",
                message = "must be a Matrix room id like !abc:example.org (or !abc from room version 12)")
        @Size(max = 255) String matrixRoomId,
        @Pattern(regexp = "[A-Za-z0-9._~-]{1,128}", message = "must be a dispatcher account id") String account) {

    @AssertTrue(message = "matrix_room_id and account go together")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isLinkComplete() {
        return (matrixRoomId == null) == (account == null);
    }
}

package io.herald.rules.room;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code PUT /v1/rooms/{room}}: both link fields, or neither (a room without a Matrix room). Room ids of room
 * version 12 and later have no server part ({@code !} and the create event's hash); older ones are {@code !opaque:server}.
 * {@code tenant}: the owner, set by an admin of every tenant (an admin limited to a tenant creates rooms of that tenant);
 * left out on an update, the owner stays.
 */
public record RoomRequest(
        @JsonProperty("matrix_room_id") @Pattern(regexp = "![^:\\s\\p{Cc}]+(:[^\\s\\p{Cc}]+)?",
                message = "must be a Matrix room id like !abc:example.org (or !abc from room version 12)")
        @Size(max = 255) String matrixRoomId,
        @Pattern(regexp = "[A-Za-z0-9._~-]{1,128}", message = "must be a dispatcher account id") String account,
        @Pattern(regexp = "[A-Za-z0-9._-]{1,64}", message = "must be 1-64 characters of A-Z a-z 0-9 . _ -") String tenant,
        @JsonProperty("source_accounts") @Size(max = 16, message = "must list at most 16 accounts")
        java.util.List<@jakarta.validation.constraints.NotNull @Pattern(regexp = "[A-Za-z0-9._~-]{1,128}",
                message = "must be a dispatcher account id") String> sourceAccounts) {

    @AssertTrue(message = "matrix_room_id and account go together")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isLinkComplete() {
        return (matrixRoomId == null) == (account == null);
    }
}

package io.herald.dispatcher.account;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code POST /v1/matrix-accounts/{id}/join}: a room id or alias. Room ids of room version 12 and later have
 * no server part ({@code !} and the create event's hash, e.g. Synapse 1.160's default); older ones do
 * ({@code !opaque:server}). An alias always has one.
 */
public record JoinRequest(
        @NotBlank(message = "is required") @Size(max = 255) @Pattern(regexp = "![^:\\s]+(:[^\\s]+)?|#[^:\\s]+:[^\\s]+",
                message = "must be a room id (!id:server, or !id from room version 12) or alias (#alias:server)")
        String room) {
}

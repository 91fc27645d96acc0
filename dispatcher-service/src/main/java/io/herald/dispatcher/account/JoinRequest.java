package io.herald.dispatcher.account;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /v1/matrix-accounts/{id}/join}: a room id or alias. */
public record JoinRequest(
        @NotBlank(message = "is required") @Size(max = 255) @Pattern(regexp = "[!#][^:\\s]+:[^\\s]+",
                message = "must be a room id (!id:server) or alias (#alias:server)") String room) {
}

package io.herald.dispatcher.account;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code POST /v1/matrix-accounts}: an account with an access token obtained elsewhere, and optionally the
 * password, kept encrypted, to log in again when the homeserver answers {@code M_UNKNOWN_TOKEN}.
 */
public record AccountRequest(
        @NotBlank(message = "is required") @Pattern(regexp = "[A-Za-z0-9._~-]{1,128}",
                message = "must be 1-128 characters of A-Z a-z 0-9 . _ ~ -") String id,
        @NotBlank(message = "is required") @Pattern(regexp = "https?://[^\\s/?#]+(/[^\\s?#]*)?",
                message = "must be the homeserver's http(s) base URL") @Size(max = 2048) String homeserver,
        @JsonProperty("access_token") @NotBlank(message = "is required") @Size(max = 4096) String accessToken,
        @JsonProperty("user_id") @Pattern(regexp = "@[^:]+:.+", message = "must be a Matrix user id like @bot:example.org")
        String userId,
        @JsonProperty("device_id") @Pattern(regexp = "[A-Za-z0-9._~-]{1,255}", message = "must be a device id")
        String deviceId,
        @Size(max = 1024) String password) {

    /** A password is kept only for re-login, which needs the user id. */
    @jakarta.validation.constraints.AssertTrue(message = "a password needs user_id (it is used to log in again)")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isPasswordUsable() {
        return password == null || userId != null;
    }

    @Override
    public String toString() {
        return "AccountRequest[id=" + id + ", homeserver=" + homeserver + "]";
    }
}

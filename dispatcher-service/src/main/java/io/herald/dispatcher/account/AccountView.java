package io.herald.dispatcher.account;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** An account as the API shows it: never the token. */
public record AccountView(String id, String homeserver, @JsonProperty("user_id") String userId,
        @JsonProperty("device_id") String deviceId, @JsonProperty("relogin") boolean relogin,
        @JsonProperty("created_at") Instant createdAt) {

    static AccountView of(MatrixAccount a) {
        return new AccountView(a.id, a.homeserver, a.userId, a.deviceId, a.passwordEncrypted != null, a.createdAt);
    }
}

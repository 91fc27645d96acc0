package io.herald.console;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * A signed-in person: their own credential (sent as the bearer token of every API call, so the console never has
 * more rights than they have), the CSRF token of their forms, and who the APIs said they are.
 */
public record Session(String token, String csrf, String name, String kind, List<String> roles, String tenant,
        @JsonProperty("expires_at") Instant expiresAt) {

    public boolean has(String role) {
        return roles != null && roles.contains(role);
    }

    public boolean operator() {
        return has("operator") || has("admin");
    }

    public boolean admin() {
        return has("admin");
    }
}

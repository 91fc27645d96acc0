package io.herald.ingest.auth;

import java.time.Instant;
import java.util.List;

/**
 * An API key as stored (never the key itself): the tenant it belongs to, the Matrix sender its events carry, the
 * rooms it may post to ({@code *}: all) and its optional rate limit.
 */
public record ApiKey(String id, String name, String tenant, String sender, List<String> rooms, Double ratePerSecond,
        Integer burst, Instant createdAt, Instant revokedAt) {

    public boolean mayPostTo(String room) {
        return rooms.contains("*") || rooms.contains(room);
    }

    public boolean revoked() {
        return revokedAt != null;
    }
}

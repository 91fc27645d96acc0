package io.herald.ingest.auth;

import java.time.Instant;
import java.util.List;

/**
 * An API key as stored (never the key itself): the tenant it belongs to, the Matrix sender its events carry, the
 * rooms it may post to ({@code *}: all), its optional rate limit, the label its messages start with, the dispatcher
 * account it posts as (null: the room's) and whether it may send urgent notifications (a room mention).
 */
public record ApiKey(String id, String name, String tenant, String sender, List<String> rooms, Double ratePerSecond,
        Integer burst, Instant createdAt, Instant revokedAt, String label, String account, boolean mayMentionRoom) {

    /** A key without label, account of its own or room mentions. */
    public ApiKey(String id, String name, String tenant, String sender, List<String> rooms, Double ratePerSecond,
            Integer burst, Instant createdAt, Instant revokedAt) {
        this(id, name, tenant, sender, rooms, ratePerSecond, burst, createdAt, revokedAt, null, null, false);
    }

    public boolean mayPostTo(String room) {
        return rooms.contains("*") || rooms.contains(room);
    }

    public boolean revoked() {
        return revokedAt != null;
    }
}

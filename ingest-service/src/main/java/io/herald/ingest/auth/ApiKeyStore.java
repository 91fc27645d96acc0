package io.herald.ingest.auth;

import io.herald.common.changes.ChangeEvent;
import io.herald.common.changes.ChangeFeed;
import io.herald.ingest.IngestConfig;
import io.herald.security.Sha256;
import io.herald.telemetry.CacheMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * API keys in {@code ingest.api_keys}. A key is {@code hrld_} + 32 random bytes (base64url); only its SHA-256 is
 * stored, so a database leak does not leak keys, and a plain hash suffices because the key has 256 bits of entropy.
 * Verified keys are cached for {@code herald.ingest.api-key-cache-ttl}. A revocation drops the key from this
 * instance's cache at once and, through a change event on {@code herald.changes}, from every other instance's; the TTL
 * bounds how long another instance trusts a revoked key when that event is lost.
 */
@ApplicationScoped
public class ApiKeyStore {

    private static final String COLUMNS = "id, name, tenant, sender, rooms, rate_per_second, burst, created_at, revoked_at,"
            + " label, account, may_mention_room";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource dataSource;
    private final long cacheTtlNanos;
    private final Map<String, Cached> byHash = new ConcurrentHashMap<>();
    /** Bumped by every revocation: a lookup that started before one does not cache what it read. */
    private final AtomicLong revocations = new AtomicLong();
    private final ChangeFeed changes;
    private final CacheMetrics metrics;

    private record Cached(ApiKey key, long loadedAt) {
    }

    /** A key just created: the only time the secret exists outside the caller. */
    public record Created(ApiKey apiKey, String secret) {
    }

    ApiKeyStore(DataSource dataSource, IngestConfig config, ChangeFeed changes, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.cacheTtlNanos = config.apiKeyCacheTtl().toNanos();
        this.changes = changes;
        this.metrics = CacheMetrics.register(registry, "ingest-api-keys");
    }

    /** Other instances' revocations, from the start. */
    void listen(@Observes StartupEvent event) {
        changes.listen(e -> {
            if (e.kind() == ChangeEvent.Kind.API_KEY) {
                forget(e.id());
            }
        });
    }

    /** The active key with this secret if it was verified recently, without asking the database; else null. */
    public ApiKey cached(String secret) {
        Cached cached = byHash.get(sha256(secret));
        if (cached != null && System.nanoTime() - cached.loadedAt < cacheTtlNanos) {
            metrics.hit();
            return cached.key;
        }
        return null; // verify() comes next and counts the miss
    }

    /** The active key with this secret, if any (blocking on a cache miss). */
    public Optional<ApiKey> verify(String secret) {
        String hash = sha256(secret);
        Cached cached = byHash.get(hash);
        long now = System.nanoTime();
        if (cached != null && now - cached.loadedAt < cacheTtlNanos) {
            metrics.hit();
            return Optional.of(cached.key);
        }
        metrics.miss();
        long revocationsBefore = revocations.get();
        Optional<ApiKey> key = query("SELECT " + COLUMNS + " FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
                hash).stream().findFirst();
        key.ifPresentOrElse(k -> byHash.compute(hash, (h, old) -> revocations.get() == revocationsBefore
                ? new Cached(k, now) : old), () -> byHash.remove(hash));
        return key;
    }

    /** What a new key is made of (all but the tenant, the sender and the rooms optional). */
    public record Spec(String name, String tenant, String sender, List<String> rooms, Double ratePerSecond,
            Integer burst, String label, String account, boolean mayMentionRoom) {
    }

    public Created create(Spec spec) {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String secret = "hrld_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        byte[] idBytes = new byte[8];
        RANDOM.nextBytes(idBytes);
        String id = "key_" + HexFormat.of().formatHex(idBytes);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO api_keys (id, key_hash, name, tenant, sender, rooms,"
                        + " rate_per_second, burst, label, account, may_mention_room)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING " + COLUMNS)) {
            ps.setString(1, id);
            ps.setString(2, sha256(secret));
            ps.setString(3, spec.name());
            ps.setString(4, spec.tenant());
            ps.setString(5, spec.sender());
            ps.setArray(6, c.createArrayOf("text", spec.rooms().toArray()));
            if (spec.ratePerSecond() == null) {
                ps.setNull(7, Types.DOUBLE);
            } else {
                ps.setDouble(7, spec.ratePerSecond());
            }
            if (spec.burst() == null) {
                ps.setNull(8, Types.INTEGER);
            } else {
                ps.setInt(8, spec.burst());
            }
            ps.setString(9, spec.label());
            ps.setString(10, spec.account());
            ps.setBoolean(11, spec.mayMentionRoom());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Created(read(rs), secret);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not store the API key", e);
        }
    }

    public List<ApiKey> list(String tenant) {
        return tenant == null ? query("SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at, id")
                : query("SELECT " + COLUMNS + " FROM api_keys WHERE tenant = ? ORDER BY created_at, id", tenant);
    }

    public Optional<ApiKey> find(String id) {
        return query("SELECT " + COLUMNS + " FROM api_keys WHERE id = ?", id).stream().findFirst();
    }

    /**
     * Revokes the key (kept for the audit trail); false if there is no such key. Effective here at once, on the other
     * instances when the change event reaches them.
     */
    public boolean revoke(String id) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = ?")) {
            ps.setString(1, id);
            boolean found = ps.executeUpdate() > 0;
            forget(id);
            if (found) {
                changes.publish(ChangeEvent.Kind.API_KEY, id);
            }
            return found;
        } catch (SQLException e) {
            throw new IllegalStateException("could not revoke the API key", e);
        }
    }

    private void forget(String id) {
        revocations.incrementAndGet();
        byHash.values().removeIf(cached -> cached.key.id().equals(id));
    }

    private List<ApiKey> query(String sql, String... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            List<ApiKey> keys = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(read(rs));
                }
            }
            return keys;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read API keys", e);
        }
    }

    private static ApiKey read(ResultSet rs) throws SQLException {
        Array rooms = rs.getArray("rooms");
        double rate = rs.getDouble("rate_per_second");
        Double ratePerSecond = rs.wasNull() ? null : rate;
        int burstValue = rs.getInt("burst");
        Integer burst = rs.wasNull() ? null : burstValue;
        Timestamp revoked = rs.getTimestamp("revoked_at");
        return new ApiKey(rs.getString("id"), rs.getString("name"), rs.getString("tenant"), rs.getString("sender"),
                List.of((String[]) rooms.getArray()), ratePerSecond, burst, rs.getTimestamp("created_at").toInstant(),
                revoked == null ? null : revoked.toInstant(), rs.getString("label"), rs.getString("account"),
                rs.getBoolean("may_mention_room"));
    }

    static String sha256(String s) {
        return Sha256.hex(s);
    }
}

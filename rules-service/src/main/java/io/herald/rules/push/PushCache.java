package io.herald.rules.push;

import io.herald.pushrules.CompiledRuleSet;
import io.herald.pushrules.DefaultsProfile;
import io.herald.pushrules.PushRuleSet;
import io.herald.pushrules.RuleSetCompiler;
import io.herald.pushrules.defaults.ServerDefaults;
import io.vertx.core.Context;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * In-memory caches of rooms, members per room, compiled rulesets per user and pushers per user, so that planning a
 * notification touches PostgreSQL only on a miss. The API invalidates an entry after each committed change, so one
 * instance sees its own changes at once; every entry also expires after {@code herald.rules.cache-ttl}, which bounds
 * how long another rules-service instance keeps planning with what it loaded before a change (a shared invalidation
 * channel, e.g. a compacted Kafka topic, would remove that window).
 */
@ApplicationScoped
public class PushCache {

    private final PushStore store;
    private final DefaultsProfile profile;
    private final Cache<String, PushStore.RoomRow> rooms;
    private final Cache<String, List<PushStore.MemberRow>> members;
    private final Cache<String, CompiledRuleSet> rules;
    private final Cache<String, List<PushStore.PusherRow>> pushers;

    PushCache(PushStore store, @ConfigProperty(name = "herald.rules.defaults", defaultValue = "spec") String defaults,
            @ConfigProperty(name = "herald.rules.cache-ttl", defaultValue = "30s") Duration ttl) {
        this.store = store;
        this.profile = DefaultsProfile.fromWireName(defaults);
        this.rooms = new Cache<>(ttl);
        this.members = new Cache<>(ttl);
        this.rules = new Cache<>(ttl);
        this.pushers = new Cache<>(ttl);
    }

    public DefaultsProfile profile() {
        return profile;
    }

    /** The effective ruleset of a user (server defaults of the configured profile + stored rules and overrides). */
    public PushRuleSet effective(String userId) {
        PushStore.UserRules stored = store.userRules(userId);
        return ServerDefaults.effective(profile, userId, stored.rules(), stored.overrides());
    }

    /** The room, or null when there is none (not cached: a room created meanwhile is seen at once). */
    public PushStore.RoomRow room(String key) {
        return rooms.get(key, store::room);
    }

    public List<PushStore.MemberRow> members(String room) {
        return members.get(room, store::members);
    }

    public CompiledRuleSet rules(String userId) {
        return rules.get(userId, u -> RuleSetCompiler.shared().compile(effective(u), u));
    }

    public List<PushStore.PusherRow> pushers(String userId) {
        return pushers.get(userId, u -> List.copyOf(store.pushers(u)));
    }

    public void invalidateRoom(String room) {
        rooms.invalidate(room);
        members.invalidate(room);
    }

    public void invalidateMembers(String room) {
        members.invalidate(room);
    }

    public void invalidateRules(String userId) {
        rules.invalidate(userId);
    }

    public void invalidatePushers(String userId) {
        pushers.invalidate(userId);
    }

    /**
     * Thrown instead of loading a missing or expired entry on a Vert.x event loop, where blocking on PostgreSQL is not
     * allowed: the caller repeats the call on a worker thread. Preallocated, without a stack trace: it is control flow.
     */
    public static final class MissOnEventLoop extends RuntimeException {
        static final MissOnEventLoop INSTANCE = new MissOnEventLoop();

        private MissOnEventLoop() {
            super("cache miss on an event loop", null, false, false);
        }
    }

    /**
     * A loading cache that never keeps a value loaded before an invalidation: {@link #invalidate} bumps the
     * generation, then removes; a load only stores its value if no invalidation happened since it started. Entries
     * expire {@code ttl} after they were loaded; a loader's null is returned but not kept.
     */
    static final class Cache<K, V> {
        private record Entry<V>(V value, long expiresAt) {
        }

        private final ConcurrentHashMap<K, Entry<V>> map = new ConcurrentHashMap<>();
        private final AtomicLong generation = new AtomicLong();
        private final long ttlNanos;

        Cache(Duration ttl) {
            this.ttlNanos = ttl.toNanos();
        }

        V get(K key, Function<K, V> loader) {
            Entry<V> e = map.get(key);
            if (e != null && System.nanoTime() - e.expiresAt < 0) {
                return e.value;
            }
            if (Context.isOnEventLoopThread()) {
                throw MissOnEventLoop.INSTANCE; // loading blocks: the caller goes to a worker thread and asks again
            }
            long g = generation.get();
            long loadedAt = System.nanoTime();
            V loaded = loader.apply(key);
            if (loaded != null) {
                Entry<V> fresh = new Entry<>(loaded, loadedAt + ttlNanos);
                map.compute(key, (k, old) -> generation.get() == g ? fresh : old);
            }
            return loaded;
        }

        void invalidate(K key) {
            generation.incrementAndGet();
            map.remove(key);
        }
    }
}

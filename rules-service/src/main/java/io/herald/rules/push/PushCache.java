package io.herald.rules.push;

import io.herald.common.changes.ChangeEvent;
import io.herald.common.changes.ChangeFeed;
import io.herald.pushrules.CompiledRuleSet;
import io.herald.pushrules.DefaultsProfile;
import io.herald.pushrules.PushRuleSet;
import io.herald.pushrules.RuleSetCompiler;
import io.herald.pushrules.defaults.ServerDefaults;
import io.herald.rules.RulesConfig;
import io.herald.telemetry.CacheMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * In-memory caches of rooms, members per room, compiled rulesets per user and pushers per user, so that planning a
 * notification touches PostgreSQL only on a miss.
 *
 * <p>Whoever commits a change calls {@link #changed}: the entry is dropped here at once and a change event goes to
 * {@code herald.changes}, from which every other rules-service instance drops it too (within milliseconds). Every
 * entry also expires after {@code herald.rules.cache-ttl}, the safety net for a change event that was lost.
 */
@ApplicationScoped
public class PushCache {

    private final PushStore store;
    private final DefaultsProfile profile;
    private final Cache<String, PushStore.RoomRow> rooms;
    private final Cache<String, List<PushStore.MemberRow>> members;
    private final Cache<String, CompiledRuleSet> rules;
    private final Cache<String, List<PushStore.PusherRow>> pushers;

    private final ChangeFeed changes;

    PushCache(PushStore store, RulesConfig config, ChangeFeed changes, MeterRegistry registry) {
        this.store = store;
        this.changes = changes;
        this.profile = DefaultsProfile.fromWireName(config.defaults());
        Duration ttl = config.cacheTtl();
        this.rooms = new Cache<>(ttl, CacheMetrics.register(registry, "rules-rooms"));
        this.members = new Cache<>(ttl, CacheMetrics.register(registry, "rules-members"));
        this.rules = new Cache<>(ttl, CacheMetrics.register(registry, "rules-rulesets"));
        this.pushers = new Cache<>(ttl, CacheMetrics.register(registry, "rules-pushers"));
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

    /** The compiled rulesets of many users; the ones not cached are loaded together (a room of 10,000 members). */
    public Map<String, CompiledRuleSet> rules(Collection<String> userIds) {
        return rules.getAll(userIds, missing -> {
            Map<String, PushStore.UserRules> stored = store.userRules(missing);
            Map<String, CompiledRuleSet> out = new HashMap<>();
            for (String u : missing) {
                PushStore.UserRules r = stored.get(u);
                out.put(u, RuleSetCompiler.shared().compile(ServerDefaults.effective(profile, u,
                        r == null ? null : r.rules(), r == null ? null : r.overrides()), u));
            }
            return out;
        });
    }

    /** The pushers of many users; the ones not cached are loaded together. */
    public Map<String, List<PushStore.PusherRow>> pushers(Collection<String> userIds) {
        return pushers.getAll(userIds, missing -> {
            Map<String, List<PushStore.PusherRow>> stored = store.pushers(missing);
            Map<String, List<PushStore.PusherRow>> out = new HashMap<>();
            for (String u : missing) {
                out.put(u, List.copyOf(stored.getOrDefault(u, List.of())));
            }
            return out;
        });
    }

    /**
     * A committed change of {@code kind} {@code id} ({@link ChangeEvent.Kind#ROOM}, {@code MEMBERS}, {@code RULES} or
     * {@code PUSHERS}): forgotten here, and by the other instances through {@code herald.changes}. Call it after the
     * commit, so that no load can bring the old state back.
     */
    public void changed(ChangeEvent.Kind kind, String id) {
        forget(kind, id);
        changes.publish(kind, id);
    }

    /** Another instance's change: forget it. */
    void forget(ChangeEvent.Kind kind, String id) {
        switch (kind) {
            case ROOM -> {
                rooms.invalidate(id);
                members.invalidate(id); // members go with their room
            }
            case MEMBERS -> members.invalidate(id);
            case RULES -> rules.invalidate(id);
            case PUSHERS -> pushers.invalidate(id);
            default -> {
                // not cached here
            }
        }
    }

    /** Listens to the other instances' changes from the start (before the first notification is planned). */
    void listen(@Observes StartupEvent event) {
        changes.listen(e -> forget(e.kind(), e.id()));
    }

    /**
     * Thrown instead of loading a missing or expired entry on a Vert.x event loop, where blocking on PostgreSQL is not
     * allowed: the caller repeats the call on a worker thread. Preallocated, without a stack trace: it is control flow.
     */
    public static final class MissOnEventLoop extends RuntimeException {
        public static final MissOnEventLoop INSTANCE = new MissOnEventLoop();

        private MissOnEventLoop() {
            super("cache miss on an event loop", null, false, false);
        }
    }

    /**
     * A loading cache that never keeps a value loaded before an invalidation: {@link #invalidate} bumps the
     * generation, then removes; a load only stores its value if no invalidation happened since it started. Entries
     * expire {@code ttl} after they were loaded; a loader's null is returned but not kept. Hits and loads are counted
     * ({@code cache_gets_total}).
     */
    static final class Cache<K, V> {
        private record Entry<V>(V value, long expiresAt) {
        }

        private final ConcurrentHashMap<K, Entry<V>> map = new ConcurrentHashMap<>();
        private final AtomicLong generation = new AtomicLong();
        private final long ttlNanos;
        private final CacheMetrics metrics;

        Cache(Duration ttl, CacheMetrics metrics) {
            this.ttlNanos = ttl.toNanos();
            this.metrics = metrics;
        }

        V get(K key, Function<K, V> loader) {
            Entry<V> e = map.get(key);
            if (e != null && System.nanoTime() - e.expiresAt < 0) {
                metrics.hit();
                return e.value;
            }
            if (Context.isOnEventLoopThread()) {
                throw MissOnEventLoop.INSTANCE; // loading blocks: the caller goes to a worker thread and asks again
            }
            metrics.miss();
            long g = generation.get();
            long loadedAt = System.nanoTime();
            V loaded = loader.apply(key);
            if (loaded != null) {
                Entry<V> fresh = new Entry<>(loaded, loadedAt + ttlNanos);
                map.compute(key, (k, old) -> generation.get() == g ? fresh : old);
            }
            return loaded;
        }

        /** Every key's value; the missing or expired ones loaded by one call of {@code loader} (null values not kept). */
        Map<K, V> getAll(Collection<K> keys, Function<List<K>, Map<K, V>> loader) {
            Map<K, V> out = new HashMap<>(keys.size() * 2);
            List<K> missing = new ArrayList<>();
            long now = System.nanoTime();
            for (K key : keys) {
                Entry<V> e = map.get(key);
                if (e != null && now - e.expiresAt < 0) {
                    out.put(key, e.value);
                } else {
                    missing.add(key);
                }
            }
            if (missing.isEmpty()) {
                return out;
            }
            if (Context.isOnEventLoopThread()) {
                throw MissOnEventLoop.INSTANCE;
            }
            long g = generation.get();
            long loadedAt = System.nanoTime();
            Map<K, V> loaded = loader.apply(missing);
            loaded.forEach((key, value) -> {
                if (value != null) {
                    Entry<V> fresh = new Entry<>(value, loadedAt + ttlNanos);
                    map.compute(key, (k, old) -> generation.get() == g ? fresh : old);
                    out.put(key, value);
                }
            });
            return out;
        }

        void invalidate(K key) {
            generation.incrementAndGet();
            map.remove(key);
        }
    }
}

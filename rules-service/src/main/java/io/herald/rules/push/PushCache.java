package io.herald.rules.push;

import io.herald.pushrules.CompiledRuleSet;
import io.herald.pushrules.DefaultsProfile;
import io.herald.pushrules.PushRuleSet;
import io.herald.pushrules.RuleSetCompiler;
import io.herald.pushrules.defaults.ServerDefaults;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * In-memory caches of members per room, compiled rulesets per user and pushers per user, invalidated by the API
 * after each committed change. Correct for a single instance: with several instances, a change made through one
 * is not seen by the others until they restart (a shared invalidation channel, e.g. a compacted Kafka topic, is
 * the next step; a TTL would bound the staleness).
 */
@ApplicationScoped
public class PushCache {

    private final PushStore store;
    private final DefaultsProfile profile;
    private final Cache<String, List<PushStore.MemberRow>> members = new Cache<>();
    private final Cache<String, CompiledRuleSet> rules = new Cache<>();
    private final Cache<String, List<PushStore.PusherRow>> pushers = new Cache<>();

    PushCache(PushStore store, @ConfigProperty(name = "herald.rules.defaults", defaultValue = "spec") String defaults) {
        this.store = store;
        this.profile = DefaultsProfile.fromWireName(defaults);
    }

    public DefaultsProfile profile() {
        return profile;
    }

    /** The effective ruleset of a user (server defaults of the configured profile + stored rules and overrides). */
    public PushRuleSet effective(String userId) {
        PushStore.UserRules stored = store.userRules(userId);
        return ServerDefaults.effective(profile, userId, stored.rules(), stored.overrides());
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
     * A loading cache that never keeps a value loaded before an invalidation: {@link #invalidate} bumps the
     * generation, then removes; a load only stores its value if no invalidation happened since it started.
     */
    static final class Cache<K, V> {
        private final ConcurrentHashMap<K, V> map = new ConcurrentHashMap<>();
        private final AtomicLong generation = new AtomicLong();

        V get(K key, Function<K, V> loader) {
            V v = map.get(key);
            if (v != null) {
                return v;
            }
            long g = generation.get();
            V loaded = loader.apply(key);
            map.compute(key, (k, old) -> generation.get() == g ? loaded : old);
            return loaded;
        }

        void invalidate(K key) {
            generation.incrementAndGet();
            map.remove(key);
        }
    }
}

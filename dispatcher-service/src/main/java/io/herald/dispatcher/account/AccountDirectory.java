package io.herald.dispatcher.account;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.herald.dispatcher.DispatcherConfig;
import io.herald.dispatcher.secret.SecretBox;
import io.herald.dispatcher.storage.Outages;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.herald.common.changes.ChangeEvent;
import io.herald.common.changes.ChangeFeed;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accounts with their decrypted credentials, cached in memory (the hot path must not hit PostgreSQL and AES per
 * delivery) for {@code herald.dispatcher.account.cache-ttl}. A change (account created, deleted, logged in again)
 * evicts the entry here and, through {@code herald.changes}, on every other instance within milliseconds, so the
 * time-to-live is only a safety net. A load that started before an eviction does not store what it read.
 */
@ApplicationScoped
public class AccountDirectory {

    /** What looking an account up found. */
    public record Lookup(Kind kind, Credentials credentials, String problem) {
        public enum Kind {
            FOUND, UNKNOWN,
            /** Its secret cannot be decrypted with the configured key: waiting does not help. */
            UNREADABLE,
            /** PostgreSQL did not answer: try again later. */
            UNAVAILABLE
        }
    }

    private final SecretBox secrets;
    private final Outages outages;
    private final Cache<String, Credentials> cache;
    private final ChangeFeed changes;
    private final AtomicLong evictions = new AtomicLong();

    AccountDirectory(SecretBox secrets, Outages outages, DispatcherConfig config, ChangeFeed changes,
            MeterRegistry registry) {
        this.secrets = secrets;
        this.outages = outages;
        this.changes = changes;
        this.cache = Caffeine.newBuilder().expireAfterWrite(config.account().cacheTtl()).recordStats().build();
        // cache_gets_total{cache="dispatcher-accounts",result}, as every Herald cache (docs/operations.md)
        CaffeineCacheMetrics.monitor(registry, cache, "dispatcher-accounts");
    }

    /** Other instances' account changes evict here too; registered before the first delivery is consumed. */
    void listen(@Observes @Priority(1) StartupEvent event) {
        changes.listen(e -> {
            if (e.kind() == ChangeEvent.Kind.ACCOUNT) {
                evict(e.id());
            }
        });
    }

    /** The account's credentials; from the cache, else read on a worker thread. Never fails. */
    public Uni<Lookup> credentials(String accountId) {
        Credentials cached = cache.getIfPresent(accountId);
        if (cached != null) {
            return Uni.createFrom().item(new Lookup(Lookup.Kind.FOUND, cached, null));
        }
        return Uni.createFrom().item(() -> lookup(accountId)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The account's homeserver URL if its credentials are in the cache (never reads PostgreSQL). */
    public Optional<String> cachedHomeserver(String accountId) {
        return Optional.ofNullable(cache.getIfPresent(accountId)).map(Credentials::homeserver);
    }

    /** Blocking: call from a worker thread. */
    public Lookup lookup(String accountId) {
        try {
            return find(accountId).map(c -> new Lookup(Lookup.Kind.FOUND, c, null))
                    .orElseGet(() -> new Lookup(Lookup.Kind.UNKNOWN, null, null));
        } catch (SecretBox.UnreadableSecretException e) {
            return new Lookup(Lookup.Kind.UNREADABLE, null, e.getMessage());
        } catch (RuntimeException e) {
            outages.database(e);
            return new Lookup(Lookup.Kind.UNAVAILABLE, null, "the account could not be read: " + e.getMessage());
        }
    }

    /** Blocking on a miss (database read): call from a worker thread. */
    public Optional<Credentials> find(String accountId) {
        Credentials cached = cache.getIfPresent(accountId);
        if (cached != null) {
            return Optional.of(cached);
        }
        long before = evictions.get();
        MatrixAccount account = QuarkusTransaction.joiningExisting().call(() -> MatrixAccount.findById(accountId));
        outages.databaseAnswered();
        if (account == null) {
            return Optional.empty();
        }
        Credentials credentials = new Credentials(account.id, account.homeserver, account.deviceId,
                secrets.decrypt(account.accessTokenEncrypted, account.id));
        if (evictions.get() == before) {
            cache.put(accountId, credentials);
        }
        return Optional.of(credentials);
    }

    /** Forgets the account here only. */
    public void evict(String accountId) {
        evictions.incrementAndGet();
        cache.invalidate(accountId);
    }

    /** The account changed (after the commit): forgotten here and on every other instance. */
    public void changed(String accountId) {
        evict(accountId);
        changes.publish(ChangeEvent.Kind.ACCOUNT, accountId);
    }
}

package io.herald.dispatcher.account;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.herald.dispatcher.DispatcherConfig;
import io.herald.dispatcher.secret.SecretBox;
import io.herald.dispatcher.storage.Outages;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Accounts with their decrypted credentials, cached in memory (the hot path must not hit PostgreSQL and AES per
 * delivery) for {@code herald.dispatcher.account.cache-ttl}; changes through the API evict the entry on every instance
 * (change events), so the time-to-live is only a safety net.
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

    AccountDirectory(SecretBox secrets, Outages outages, DispatcherConfig config) {
        this.secrets = secrets;
        this.outages = outages;
        this.cache = Caffeine.newBuilder().expireAfterWrite(config.account().cacheTtl()).build();
    }

    /** The account's credentials; from the cache, else read on a worker thread. Never fails. */
    public Uni<Lookup> credentials(String accountId) {
        Credentials cached = cache.getIfPresent(accountId);
        if (cached != null) {
            return Uni.createFrom().item(new Lookup(Lookup.Kind.FOUND, cached, null));
        }
        return Uni.createFrom().item(() -> lookup(accountId)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
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
        MatrixAccount account = QuarkusTransaction.joiningExisting().call(() -> MatrixAccount.findById(accountId));
        outages.databaseAnswered();
        if (account == null) {
            return Optional.empty();
        }
        Credentials credentials = new Credentials(account.id, account.homeserver, account.deviceId,
                secrets.decrypt(account.accessTokenEncrypted, account.id));
        cache.put(accountId, credentials);
        return Optional.of(credentials);
    }

    public void evict(String accountId) {
        cache.invalidate(accountId);
    }
}

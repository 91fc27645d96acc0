package io.herald.dispatcher.account;

import io.herald.dispatcher.secret.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Accounts with their decrypted credentials, cached in memory (the hot path must not hit PostgreSQL and AES per
 * delivery). Changes through the API evict the entry.
 */
@ApplicationScoped
public class AccountDirectory {

    private final SecretBox secrets;
    private final ConcurrentMap<String, Credentials> cache = new ConcurrentHashMap<>();

    AccountDirectory(SecretBox secrets) {
        this.secrets = secrets;
    }

    /** Blocking on a miss (database read): call from a worker thread. */
    @Transactional
    public Optional<Credentials> find(String accountId) {
        Credentials cached = cache.get(accountId);
        if (cached != null) {
            return Optional.of(cached);
        }
        MatrixAccount account = MatrixAccount.findById(accountId);
        if (account == null) {
            return Optional.empty();
        }
        Credentials credentials = new Credentials(account.id, account.homeserver, account.deviceId,
                secrets.decrypt(account.accessTokenEncrypted, account.id));
        cache.put(accountId, credentials);
        return Optional.of(credentials);
    }

    public Optional<Credentials> cached(String accountId) {
        return Optional.ofNullable(cache.get(accountId));
    }

    public void evict(String accountId) {
        cache.remove(accountId);
    }
}

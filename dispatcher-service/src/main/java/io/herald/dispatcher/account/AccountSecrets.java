package io.herald.dispatcher.account;

import io.herald.dispatcher.secret.SecretBox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Sort;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.LockModeType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The secrets stored with the Matrix accounts (access tokens, passwords) and the key ring that seals them
 * ({@link SecretBox}): at start, which keys they need and whether the ring has them (a missing key is logged as an
 * ERROR naming the accounts; the dispatcher still starts, and their deliveries are dead-lettered with the key's id);
 * on demand, rotation: every secret re-encrypted under the primary key, a batch of accounts per transaction.
 */
@ApplicationScoped
public class AccountSecrets {

    private static final Logger LOG = Logger.getLogger(AccountSecrets.class);
    static final int BATCH = 100;
    /** Account ids named per missing key in the start-up log. */
    private static final int NAMED = 20;

    /** An account whose secrets rotation could not read, and why. */
    public record Unreadable(String account, String reason) {
    }

    /** What a rotation did: accounts re-encrypted, already under the primary key, and unreadable (left as they are). */
    public record Rotation(String primaryKey, int reEncrypted, int alreadyCurrent, int unreadable,
            List<Unreadable> unreadableAccounts) {
    }

    private final SecretBox secrets;

    public AccountSecrets(SecretBox secrets) {
        this.secrets = secrets;
    }

    void checkAtStart(@Observes StartupEvent start) {
        // a ring that cannot work (no key, a primary not in it, a key that is not 32 bytes) stops the start here
        LOG.debugf("secrets: keys %s, primary '%s'", secrets.keyIds(), secrets.primaryKey());
        try {
            check();
        } catch (RuntimeException e) {
            LOG.warnf("the keys of the stored secrets could not be checked at start: %s", e.getMessage());
        }
    }

    /**
     * Which keys the stored secrets were sealed with (key id → account ids); logs them, and an ERROR for those not
     * configured. Blocking.
     */
    public Map<String, List<String>> check() {
        Map<String, List<String>> byKey = new TreeMap<>();
        forEachBatch(false, batch -> batch.forEach(account -> sealed(account).stream().map(SecretBox::keyIdOf)
                .map(id -> id == null ? "(not a Herald secret)" : id).distinct()
                .forEach(id -> byKey.computeIfAbsent(id, k -> new ArrayList<>()).add(account.id))));
        Map<String, List<String>> missing = new TreeMap<>(byKey);
        missing.keySet().removeAll(secrets.keyIds());
        LOG.infof("secrets: primary key '%s'; accounts by the key that sealed their secrets: %s", secrets.primaryKey(),
                byKey.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().size())
                        .collect(Collectors.joining(", ", "{", "}")));
        if (!missing.isEmpty()) {
            LOG.errorf("secrets: the keys %s are not configured but sealed the secrets of Matrix accounts: %s. Deliveries"
                    + " for these accounts are dead-lettered until the keys are configured again (herald.secrets.keys.<id>;"
                    + " docs/deploy.md, \"Losing a key\")", missing.keySet(), missing.entrySet().stream()
                    .map(e -> e.getKey() + ": " + named(e.getValue())).collect(Collectors.joining("; ")));
        }
        return byKey;
    }

    /** Re-encrypts every stored secret not yet sealed with the primary key under it. Blocking. */
    public Rotation rotate() {
        int[] reEncrypted = {0};
        int[] current = {0};
        List<Unreadable> unreadable = new ArrayList<>();
        forEachBatch(true, batch -> {
            for (MatrixAccount account : batch) {
                if (sealed(account).stream().allMatch(secrets::sealedWithPrimary)) {
                    current[0]++;
                    continue;
                }
                try {
                    String token = resealed(account.accessTokenEncrypted, account.id);
                    String password = account.passwordEncrypted == null ? null
                            : resealed(account.passwordEncrypted, account.id + "/password");
                    account.accessTokenEncrypted = token;
                    account.passwordEncrypted = password;
                    reEncrypted[0]++;
                } catch (SecretBox.UnreadableSecretException e) {
                    unreadable.add(new Unreadable(account.id, e.getMessage()));
                }
            }
        });
        LOG.infof("secrets: %d accounts re-encrypted under the key '%s', %d were already, %d unreadable%s",
                reEncrypted[0], secrets.primaryKey(), current[0], unreadable.size(), unreadable.isEmpty() ? ""
                        : ": " + named(unreadable.stream().map(Unreadable::account).toList()));
        return new Rotation(secrets.primaryKey(), reEncrypted[0], current[0], unreadable.size(), unreadable);
    }

    private String resealed(String stored, String boundTo) {
        return secrets.sealedWithPrimary(stored) ? stored : secrets.encrypt(secrets.decrypt(stored, boundTo), boundTo);
    }

    private static List<String> sealed(MatrixAccount account) {
        return account.passwordEncrypted == null ? List.of(account.accessTokenEncrypted)
                : List.of(account.accessTokenEncrypted, account.passwordEncrypted);
    }

    /**
     * Runs {@code work} on the accounts, {@value #BATCH} at a time in id order, each batch in a transaction of its own
     * (its rows locked for update when {@code lock}: a re-login storing a new token meanwhile waits for the batch).
     */
    private static void forEachBatch(boolean lock, Consumer<List<MatrixAccount>> work) {
        String after = "";
        while (true) {
            String from = after;
            String last = QuarkusTransaction.requiringNew().call(() -> {
                var query = MatrixAccount.<MatrixAccount>find("id > ?1", Sort.by("id"), from).range(0, BATCH - 1);
                List<MatrixAccount> batch = (lock ? query.withLock(LockModeType.PESSIMISTIC_WRITE) : query).list();
                work.accept(batch);
                return batch.size() < BATCH ? null : batch.get(batch.size() - 1).id;
            });
            if (last == null) {
                return;
            }
            after = last;
        }
    }

    private static String named(List<String> accounts) {
        return accounts.size() <= NAMED ? String.join(", ", accounts)
                : String.join(", ", accounts.subList(0, NAMED)) + " and " + (accounts.size() - NAMED) + " more";
    }
}

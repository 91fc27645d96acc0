package io.herald.dispatcher.account;

import io.herald.dispatcher.secret.SecretBox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.logging.Logger;

/**
 * Logs an account in again after {@code M_UNKNOWN_TOKEN}: {@code POST /_matrix/client/v3/login} with
 * {@code m.login.password}, the {@code m.id.user} identifier and the account's fixed {@code device_id} (so the
 * homeserver keeps deduplicating transaction ids), then stores the new token encrypted.
 *
 * <p>Single flight: one login per account at a time; deliveries that find the token unknown meanwhile wait for that
 * login and use its token (a homeserver's login rate limit allows only a small burst). A delivery whose stale token
 * was already replaced uses the new one without logging in. The login itself runs outside any transaction; only
 * reading the account and storing the token are transactions.
 */
@ApplicationScoped
public class MatrixLogin {

    private static final Logger LOG = Logger.getLogger(MatrixLogin.class);

    /** How a re-login ended. */
    public sealed interface Outcome {
    }

    public record Renewed(Credentials credentials) implements Outcome {
    }

    /** It cannot work without an operator: no stored password, or the homeserver refused the login. */
    public record Impossible(String reason) implements Outcome {
    }

    /** Temporary trouble (429, 5xx, timeout): the delivery retries later, it is not a dead letter. */
    public record Unavailable(String reason, Duration retryAfter, boolean rateLimited) implements Outcome {
    }

    private final HomeserverClient homeservers;
    private final SecretBox secrets;
    private final AccountDirectory directory;
    private final ConcurrentMap<String, CompletableFuture<Outcome>> inFlight = new ConcurrentHashMap<>();
    /** Accounts whose homeserver rate-limited a login: no new login before this (System.nanoTime), per account. */
    private final ConcurrentMap<String, Long> loginsHeldUntil = new ConcurrentHashMap<>();

    MatrixLogin(HomeserverClient homeservers, SecretBox secrets, AccountDirectory directory) {
        this.homeservers = homeservers;
        this.secrets = secrets;
        this.directory = directory;
    }

    /** Renews the token {@code staleToken} of the account, or joins the renewal already under way. Never fails. */
    public Uni<Outcome> relogin(String accountId, String staleToken) {
        Long heldUntil = loginsHeldUntil.get(accountId);
        long wait = heldUntil == null ? 0 : heldUntil - System.nanoTime();
        if (wait > 0) {
            // Patient: the homeserver asked to wait; the delivery retries after that instead of asking again now.
            return Uni.createFrom().item(new Unavailable("logging in again waits for the homeserver's rate limit",
                    java.time.Duration.ofNanos(wait), true));
        }
        CompletableFuture<Outcome> mine = new CompletableFuture<>();
        CompletableFuture<Outcome> running = inFlight.putIfAbsent(accountId, mine);
        if (running != null) {
            return Uni.createFrom().completionStage(running);
        }
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            Outcome outcome;
            try {
                outcome = reloginBlocking(accountId, staleToken);
            } catch (RuntimeException e) {
                outcome = new Unavailable("logging in again failed: " + e.getMessage(), null, false);
            }
            if (outcome instanceof Unavailable u && u.rateLimited()) {
                java.time.Duration hold = u.retryAfter() == null ? java.time.Duration.ofSeconds(1) : u.retryAfter();
                loginsHeldUntil.put(accountId, System.nanoTime() + hold.toNanos());
            } else {
                loginsHeldUntil.remove(accountId);
            }
            inFlight.remove(accountId, mine);
            mine.complete(outcome);
        });
        return Uni.createFrom().completionStage(mine);
    }

    /** As {@link #relogin}, on the calling thread (blocking; not single-flight). */
    public Outcome reloginBlocking(String accountId, String staleToken) {
        MatrixAccount account = QuarkusTransaction.requiringNew().call(() -> MatrixAccount.findById(accountId));
        if (account == null) {
            return new Impossible("the account '" + accountId + "' no longer exists");
        }
        directory.evict(accountId);
        String current = secrets.decrypt(account.accessTokenEncrypted, account.id);
        if (!current.equals(staleToken)) {
            // Another login (or an operator) replaced the token since this delivery read it.
            return new Renewed(new Credentials(account.id, account.homeserver, account.deviceId, current));
        }
        if (account.passwordEncrypted == null || account.userId == null) {
            return new Impossible("no stored password to log in again with");
        }
        String token;
        try {
            token = homeservers.login(account.homeserver, account.userId,
                    secrets.decrypt(account.passwordEncrypted, account.id + "/password"), account.deviceId).accessToken();
        } catch (HomeserverProblem e) {
            LOG.warnf("re-login of account %s failed: %s", accountId, e.getMessage());
            if (e.status() == 429) {
                Long seconds = e.retryAfterSeconds();
                return new Unavailable("logging in again was rate limited: " + e.publicDetail(),
                        seconds == null ? null : Duration.ofSeconds(seconds), true);
            }
            if (e.status() == 502) {
                return new Unavailable("logging in again failed: " + e.publicDetail(), null, false);
            }
            return new Impossible("logging in again was refused: " + e.publicDetail());
        }
        String sealed = secrets.encrypt(token, account.id);
        QuarkusTransaction.requiringNew().run(() -> MatrixAccount.update(
                "accessTokenEncrypted = ?1, updatedAt = ?2 where id = ?3", sealed, Instant.now(), accountId));
        // The login with the same device id invalidated the old token everywhere: the other instances must drop it now.
        directory.changed(accountId);
        LOG.infof("account %s logged in again (device %s)", accountId, account.deviceId);
        return new Renewed(new Credentials(account.id, account.homeserver, account.deviceId, token));
    }
}

package io.herald.dispatcher.account;

import io.herald.dispatcher.secret.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Logs an account in again after {@code M_UNKNOWN_TOKEN}: {@code POST /_matrix/client/v3/login} with
 * {@code m.login.password}, the {@code m.id.user} identifier and the account's fixed {@code device_id} (so the
 * homeserver keeps deduplicating transaction ids), then stores the new token encrypted. Blocking.
 */
@ApplicationScoped
public class MatrixLogin {

    private static final Logger LOG = Logger.getLogger(MatrixLogin.class);

    private final HomeserverClient homeservers;
    private final SecretBox secrets;
    private final AccountDirectory directory;

    MatrixLogin(HomeserverClient homeservers, SecretBox secrets, AccountDirectory directory) {
        this.homeservers = homeservers;
        this.secrets = secrets;
        this.directory = directory;
    }

    /** New credentials, or empty when the account has no stored password or the login failed (the reason is logged). */
    @Transactional
    public Optional<Credentials> relogin(String accountId) {
        MatrixAccount account = MatrixAccount.findById(accountId);
        if (account == null || account.passwordEncrypted == null || account.userId == null) {
            return Optional.empty();
        }
        String token;
        try {
            token = homeservers.login(account.homeserver, account.userId,
                    secrets.decrypt(account.passwordEncrypted, account.id + "/password"), account.deviceId).accessToken();
        } catch (HomeserverProblem e) {
            LOG.warnf("re-login of account %s failed: %s", accountId, e.getMessage());
            return Optional.empty();
        }
        account.accessTokenEncrypted = secrets.encrypt(token, account.id);
        account.updatedAt = Instant.now();
        directory.evict(accountId);
        LOG.infof("account %s logged in again (device %s)", accountId, account.deviceId);
        return Optional.of(new Credentials(account.id, account.homeserver, account.deviceId, token));
    }
}

package io.herald.dispatcher.account;

import io.herald.dispatcher.secret.SecretBox;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Logs an account in again after {@code M_UNKNOWN_TOKEN}: {@code POST /_matrix/client/v3/login} with
 * {@code m.login.password}, the {@code m.id.user} identifier and the account's fixed {@code device_id} (so the
 * homeserver keeps deduplicating transaction ids), then stores the new token encrypted. Blocking.
 */
@ApplicationScoped
public class MatrixLogin {

    private static final Logger LOG = Logger.getLogger(MatrixLogin.class);

    private final WebClient client;
    private final SecretBox secrets;
    private final AccountDirectory directory;
    private final Duration timeout;

    MatrixLogin(Vertx vertx, SecretBox secrets, AccountDirectory directory,
            @ConfigProperty(name = "herald.dispatcher.request-timeout") Duration timeout) {
        this.client = WebClient.create(vertx, new WebClientOptions().setUserAgent("Herald").setFollowRedirects(false));
        this.secrets = secrets;
        this.directory = directory;
        this.timeout = timeout;
    }

    /** New credentials, or empty when the account has no stored password or the login failed (the reason is logged). */
    @Transactional
    public Optional<Credentials> relogin(String accountId) {
        MatrixAccount account = MatrixAccount.findById(accountId);
        if (account == null || account.passwordEncrypted == null || account.userId == null) {
            return Optional.empty();
        }
        JsonObject body = new JsonObject()
                .put("type", "m.login.password")
                .put("identifier", new JsonObject().put("type", "m.id.user").put("user", account.userId))
                .put("password", secrets.decrypt(account.passwordEncrypted, account.id + "/password"))
                .put("device_id", account.deviceId)
                .put("initial_device_display_name", "Herald");
        HttpResponse<Buffer> response;
        try {
            response = client.postAbs(account.homeserver + "/_matrix/client/v3/login")
                    .timeout(timeout.toMillis())
                    .sendJsonObject(body)
                    .await().atMost(timeout.plusSeconds(5));
        } catch (RuntimeException e) {
            LOG.warnf("re-login of account %s failed: %s", accountId, e.getMessage());
            return Optional.empty();
        }
        String token = response.statusCode() == 200 ? response.bodyAsJsonObject().getString("access_token") : null;
        if (token == null) {
            LOG.warnf("re-login of account %s refused: HTTP %d", accountId, response.statusCode());
            return Optional.empty();
        }
        account.accessTokenEncrypted = secrets.encrypt(token, account.id);
        account.updatedAt = Instant.now();
        directory.evict(accountId);
        LOG.infof("account %s logged in again (device %s)", accountId, account.deviceId);
        return Optional.of(new Credentials(account.id, account.homeserver, account.deviceId, token));
    }

    @PreDestroy
    void close() {
        client.close();
    }
}

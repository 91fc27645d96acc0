package io.herald.dispatcher.send;

import io.herald.common.Delivery;
import io.herald.common.Json;
import io.herald.dispatcher.DispatcherConfig;
import io.herald.dispatcher.account.AccountDirectory;
import io.herald.dispatcher.account.Credentials;
import io.herald.dispatcher.limits.SendLimits;
import io.herald.dispatcher.outbound.OutboundGuard;
import io.herald.dispatcher.outbound.Target;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Sends a delivery into a Matrix room: {@code PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}} as the
 * delivery's account. The txnId comes from the delivery id and the account has one fixed device, so the homeserver
 * answers a repeated attempt with the event it already created instead of posting twice. Re-login after
 * {@code M_UNKNOWN_TOKEN} is not done here but by {@link ReloggingRoomSender} around it. Every send goes to the address
 * the {@link OutboundGuard} checked for the account's homeserver.
 */
@ApplicationScoped
public class MatrixRoomSender implements Sender {

    private final WebClient client;
    private final long timeoutMillis;
    private final AccountDirectory accounts;
    private final SendLimits limits;
    private final Answers answers;
    private final OutboundGuard guard;

    MatrixRoomSender(Vertx vertx, DispatcherConfig config, AccountDirectory accounts, SendLimits limits, Answers answers,
            OutboundGuard guard) {
        this.client = WebClient.create(vertx, new WebClientOptions()
                .setUserAgent("Herald")
                .setKeepAlive(true)
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                // one connection per request allowed in flight to a homeserver (Vert.x's default pool is 5)
                .setMaxPoolSize(config.homeserver().maxConcurrency())
                .setFollowRedirects(false)
                // Traced by the lane, explicitly (a span per attempt), not by Vert.x's context.
                .setTracingPolicy(TracingPolicy.IGNORE));
        this.timeoutMillis = config.requestTimeout().toMillis();
        this.accounts = accounts;
        this.limits = limits;
        this.answers = answers;
        this.guard = guard;
    }

    public static String sendPath(Delivery delivery) {
        return "/_matrix/client/v3/rooms/" + encode(delivery.destination().matrixRoom().roomId())
                + "/send/" + encode(delivery.event().type()) + "/" + encode(delivery.txnId());
    }

    @Override
    public Uni<SendResult> send(Delivery delivery) {
        String accountId = delivery.destination().matrixRoom().account();
        return accounts.credentials(accountId).flatMap(lookup -> switch (lookup.kind()) {
            case FOUND -> send(delivery, lookup.credentials());
            // Dead-lettered with the reason instead of retried forever: once the account exists (or the key is
            // fixed), the dead letters can be replayed.
            case UNKNOWN -> Uni.createFrom().item(SendResult.rejected(null, "unknown Matrix account '" + accountId + "'"));
            case UNREADABLE -> Uni.createFrom().item(SendResult.rejected(null, lookup.problem()));
            case UNAVAILABLE -> Uni.createFrom().item(new SendResult.Retry(null, lookup.problem(), null, false));
        });
    }

    /** One send with the given credentials, within the homeserver's concurrency and the account's rate. */
    Uni<SendResult> send(Delivery delivery, Credentials credentials) {
        return guard.verdict(OutboundGuard.Peer.HOMESERVER, credentials.homeserver())
                .flatMap(verdict -> verdict instanceof OutboundGuard.Verdict.Allowed allowed
                        ? send(delivery, credentials, allowed.target()) : Uni.createFrom().item(answers.notSent(verdict)));
    }

    private Uni<SendResult> send(Delivery delivery, Credentials credentials, Target homeserver) {
        return limits.limited(credentials.homeserver(), credentials.accountId(), () -> homeserver
                .request(client, HttpMethod.PUT, sendPath(delivery))
                .putHeader("Authorization", "Bearer " + credentials.accessToken())
                .putHeader("Content-Type", "application/json")
                .timeout(timeoutMillis)
                .sendBuffer(Buffer.buffer(Json.encode(delivery.event().content())))
                .map(answers::roomSend)
                .onFailure().recoverWithItem(e -> answers.failure(homeserver, e)));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @PreDestroy
    void close() {
        client.close();
    }
}

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
import io.herald.common.Relations;
import io.herald.dispatcher.http.SafeText;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sends a delivery into a Matrix room: {@code PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}} as the
 * delivery's account; an edit of an earlier notification ({@link Relations}) with the original's event id in its
 * {@code m.relates_to}, a redaction with {@code PUT …/rooms/{roomId}/redact/{eventId}/{txnId}}. A message sent more
 * than {@code herald.dispatcher.late-after} after its notification was accepted is marked late ({@link LateMarker}). The txnId comes from the delivery id and the account has one fixed device, so the homeserver
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
    private final SentEvents sentEvents;
    private final Duration lateAfter;

    MatrixRoomSender(Vertx vertx, DispatcherConfig config, AccountDirectory accounts, SendLimits limits, Answers answers,
            OutboundGuard guard, SentEvents sentEvents) {
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
        this.sentEvents = sentEvents;
        this.lateAfter = config.lateAfter();
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
        String original = Relations.target(delivery.event());
        if (original == null) {
            return put(delivery, credentials, homeserver, sendPath(delivery), content(delivery, null));
        }
        return sentEvents.eventIdOf(Delivery.idFor(original, delivery.destination())).flatMap(eventId -> {
            if (eventId == null) {
                return Uni.createFrom().item(SendResult.rejected(null, "notification " + original + ", which this "
                        + (isRedaction(delivery) ? "redacts" : "edits") + ", has no Matrix event in this room (it was"
                        + " not delivered there: pending elsewhere, dead, purged, or posted as another account)"));
            }
            return isRedaction(delivery)
                    ? put(delivery, credentials, homeserver, redactPath(delivery, eventId), redaction(delivery))
                    : put(delivery, credentials, homeserver, sendPath(delivery), content(delivery, eventId));
        }).onFailure().recoverWithItem(e -> new SendResult.Retry(null, SafeText.of(e.getMessage()), null, false));
    }

    private Uni<SendResult> put(Delivery delivery, Credentials credentials, Target homeserver, String path,
            Map<String, Object> body) {
        return limits.limited(credentials.homeserver(), credentials.accountId(), () -> homeserver
                .request(client, HttpMethod.PUT, path)
                .putHeader("Authorization", "Bearer " + credentials.accessToken())
                .putHeader("Content-Type", "application/json")
                .timeout(timeoutMillis)
                .sendBuffer(Buffer.buffer(Json.encode(body)))
                .map(answers::roomSend)
                .invoke(result -> {
                    if (result instanceof SendResult.Delivered delivered) {
                        sentEvents.remember(delivery.id(), delivered.eventId());
                    }
                })
                .onFailure().recoverWithItem(e -> answers.failure(homeserver, e)));
    }

    /** The content as sent: marked late when it is, with the original's event id when it is an edit. */
    Map<String, Object> content(Delivery delivery, String originalEventId) {
        Map<String, Object> content = LateMarker.mark(delivery.event().type(), delivery.event().content(),
                delivery.acceptedAt(), Instant.now(), lateAfter);
        if (originalEventId == null) {
            return content;
        }
        Map<String, Object> edit = new LinkedHashMap<>(content);
        edit.remove(Relations.KEY);
        Map<String, Object> relation = new LinkedHashMap<>();
        if (content.get("m.relates_to") instanceof Map<?, ?> given) {
            given.forEach((k, v) -> relation.put(String.valueOf(k), v));
        }
        relation.put("rel_type", "m.replace");
        relation.put("event_id", originalEventId);
        edit.put("m.relates_to", relation);
        return edit;
    }

    private static boolean isRedaction(Delivery delivery) {
        return Relations.REDACTION.equals(delivery.event().type());
    }

    private static Map<String, Object> redaction(Delivery delivery) {
        Object reason = delivery.event().content().get("reason");
        return reason instanceof String r ? Map.of("reason", r) : Map.of();
    }

    public static String redactPath(Delivery delivery, String eventId) {
        return "/_matrix/client/v3/rooms/" + encode(delivery.destination().matrixRoom().roomId())
                + "/redact/" + encode(eventId) + "/" + encode(delivery.txnId());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @PreDestroy
    void close() {
        client.close();
    }
}

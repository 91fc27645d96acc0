package io.herald.dispatcher.delivery;

import io.herald.common.Delivery;
import io.herald.common.Json;
import io.herald.dispatcher.account.Credentials;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sends a delivery into a Matrix room: {@code PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}}.
 * The txnId comes from the delivery id and the account has one fixed device, so the homeserver answers a repeated
 * attempt with the event it already created instead of posting twice.
 */
@ApplicationScoped
public class MatrixRoomSender {

    private final WebClient client;
    private final long timeoutMillis;

    MatrixRoomSender(Vertx vertx, @ConfigProperty(name = "herald.dispatcher.request-timeout") Duration timeout,
            @ConfigProperty(name = "herald.dispatcher.homeserver.max-concurrency") int maxConcurrency) {
        this.client = WebClient.create(vertx, new WebClientOptions()
                .setUserAgent("Herald")
                .setKeepAlive(true)
                // one connection per request allowed in flight to a homeserver (Vert.x's default pool is 5)
                .setMaxPoolSize(maxConcurrency)
                .setFollowRedirects(false));
        this.timeoutMillis = timeout.toMillis();
    }

    public static String sendPath(Delivery delivery) {
        return "/_matrix/client/v3/rooms/" + encode(delivery.destination().matrixRoom().roomId())
                + "/send/" + encode(delivery.event().type()) + "/" + encode(delivery.txnId());
    }

    public Uni<SendResult> send(Delivery delivery, Credentials credentials) {
        return client.putAbs(credentials.homeserver() + sendPath(delivery))
                .putHeader("Authorization", "Bearer " + credentials.accessToken())
                .putHeader("Content-Type", "application/json")
                .timeout(timeoutMillis)
                .sendBuffer(Buffer.buffer(Json.encode(delivery.event().content())))
                .map(MatrixRoomSender::classify)
                .onFailure().recoverWithItem(e -> SendResult.retry(null, describe(e), null));
    }

    static SendResult classify(HttpResponse<Buffer> response) {
        int status = response.statusCode();
        JsonObject body = jsonBody(response);
        if (status >= 200 && status < 300) {
            return SendResult.delivered(status, body == null ? null : body.getString("event_id"));
        }
        String reason = "HTTP " + status + (body == null ? ""
                : " " + body.getString("errcode", "") + ": " + body.getString("error", "")).stripTrailing();
        if (status == 401 && body != null && "M_UNKNOWN_TOKEN".equals(body.getString("errcode"))) {
            return new SendResult(SendResult.Outcome.UNKNOWN_TOKEN, status, reason, null, null);
        }
        if (status == 429) {
            return SendResult.retry(status, reason, retryAfter(response, body));
        }
        if (status >= 400 && status < 500) {
            return SendResult.rejected(status, reason);
        }
        return SendResult.retry(status, reason, null);
    }

    /** {@code Retry-After} (seconds) first, then the body's {@code retry_after_ms}; null means "use the backoff". */
    static Duration retryAfter(HttpResponse<Buffer> response, JsonObject body) {
        String header = response.getHeader("Retry-After");
        if (header != null) {
            try {
                return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
            } catch (NumberFormatException ignored) {
                // an HTTP date or garbage: fall through to the body
            }
        }
        if (body != null && body.getValue("retry_after_ms") instanceof Number ms) {
            return Duration.ofMillis(Math.max(0, ms.longValue()));
        }
        return null;
    }

    private static JsonObject jsonBody(HttpResponse<Buffer> response) {
        try {
            Buffer b = response.body();
            return b == null || b.length() == 0 ? null : b.toJsonObject();
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    private static String describe(Throwable e) {
        String name = e.getClass().getSimpleName();
        return e.getMessage() == null ? name : name + ": " + e.getMessage();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @PreDestroy
    void close() {
        client.close();
    }
}

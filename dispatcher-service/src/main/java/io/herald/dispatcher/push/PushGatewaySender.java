package io.herald.dispatcher.push;

import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.dispatcher.delivery.SendResult;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sends a delivery to a push gateway: {@code POST <pusher url>} with the Push Gateway API body
 * ({@code /_matrix/push/v1/notify}). A pushkey listed in the answer's {@code rejected} is never retried.
 */
@ApplicationScoped
public class PushGatewaySender {

    private final WebClient client;
    private final long timeoutMillis;

    PushGatewaySender(Vertx vertx, @ConfigProperty(name = "herald.dispatcher.request-timeout") Duration timeout,
            @ConfigProperty(name = "herald.dispatcher.gateway.max-connections") int maxConnections) {
        this.client = WebClient.create(vertx, new WebClientOptions().setUserAgent("Herald").setKeepAlive(true)
                .setMaxPoolSize(maxConnections).setFollowRedirects(false));
        this.timeoutMillis = timeout.toMillis();
    }

    public Uni<SendResult> send(Delivery delivery) {
        Destination.Pusher pusher = delivery.destination().pusher();
        return client.postAbs(pusher.url())
                .putHeader("Content-Type", "application/json")
                .timeout(timeoutMillis)
                .sendBuffer(Buffer.buffer(Json.encode(body(delivery))))
                .map(response -> classify(response, pusher.pushkey()))
                .onFailure().recoverWithItem(e -> SendResult.retry(null,
                        e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), null));
    }

    /** The Push Gateway API request body; {@code event_id_only} pushers get no event details. */
    public static Map<String, Object> body(Delivery delivery) {
        Destination.Pusher pusher = delivery.destination().pusher();
        Map<String, Object> device = new LinkedHashMap<>();
        device.put("app_id", pusher.appId());
        device.put("pushkey", pusher.pushkey());
        if (pusher.pushkeyTs() != null) {
            device.put("pushkey_ts", pusher.pushkeyTs());
        }
        if (pusher.data() != null) {
            Map<String, Object> data = new LinkedHashMap<>(pusher.data());
            data.remove("url"); // the spec: the pusher's data "minus the url key"
            device.put("data", data);
        }
        device.put("tweaks", delivery.tweaks() == null ? Map.of() : delivery.tweaks());

        Map<String, Object> notification = new LinkedHashMap<>();
        if (delivery.event().eventId() != null) {
            notification.put("event_id", delivery.event().eventId());
        }
        boolean eventIdOnly = "event_id_only".equals(pusher.format());
        if (!eventIdOnly) {
            notification.put("type", delivery.event().type());
            if (delivery.event().sender() != null) {
                notification.put("sender", delivery.event().sender());
            }
            notification.put("content", delivery.event().content());
        }
        notification.put("prio", "high".equals(delivery.priority()) ? "high" : "low");
        notification.put("counts", Map.of("unread", 1));
        notification.put("devices", List.of(device));
        return Map.of("notification", notification);
    }

    static SendResult classify(HttpResponse<Buffer> response, String pushkey) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            JsonArray rejected = rejected(response);
            return rejected != null && rejected.contains(pushkey) ? SendResult.pushkeyRejected(status)
                    : SendResult.delivered(status, null);
        }
        String reason = "HTTP " + status + " from the push gateway";
        if (status == 429) {
            String header = response.getHeader("Retry-After");
            Duration wait = null;
            try {
                wait = header == null ? null : Duration.ofSeconds(Long.parseLong(header.trim()));
            } catch (NumberFormatException ignored) {
                // use the backoff
            }
            return SendResult.retry(status, reason, wait);
        }
        return status >= 400 && status < 500 ? SendResult.rejected(status, reason) : SendResult.retry(status, reason, null);
    }

    private static JsonArray rejected(HttpResponse<Buffer> response) {
        try {
            JsonObject body = response.body() == null ? null : response.body().toJsonObject();
            return body == null ? null : body.getJsonArray("rejected");
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    @PreDestroy
    void close() {
        client.close();
    }
}

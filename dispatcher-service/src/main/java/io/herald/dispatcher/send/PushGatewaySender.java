package io.herald.dispatcher.send;

import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.dispatcher.DispatcherConfig;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends a delivery to a push gateway: {@code POST <pusher url>} with the Push Gateway API body
 * ({@code /_matrix/push/v1/notify}), to the address the {@link OutboundGuard} checked (users choose pusher URLs).
 * A pushkey listed in the answer's {@code rejected} is never retried.
 */
@ApplicationScoped
public class PushGatewaySender implements Sender {

    private final WebClient client;
    private final long timeoutMillis;
    private final OutboundGuard guard;
    private final Answers answers;

    PushGatewaySender(Vertx vertx, DispatcherConfig config, OutboundGuard guard, Answers answers) {
        this.client = WebClient.create(vertx, new WebClientOptions().setUserAgent("Herald").setKeepAlive(true)
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setMaxPoolSize(config.gateway().maxConnections()).setFollowRedirects(false)
                .setTracingPolicy(TracingPolicy.IGNORE)); // traced by the lane, explicitly
        this.timeoutMillis = config.requestTimeout().toMillis();
        this.guard = guard;
        this.answers = answers;
    }

    @Override
    public Uni<SendResult> send(Delivery delivery) {
        return guard.verdict(OutboundGuard.Peer.PUSH_GATEWAY, delivery.destination().pusher().url())
                .flatMap(verdict -> verdict instanceof OutboundGuard.Verdict.Allowed allowed
                        ? post(delivery, allowed.target()) : Uni.createFrom().item(answers.notSent(verdict)));
    }

    private Uni<SendResult> post(Delivery delivery, Target target) {
        return target.request(client, HttpMethod.POST, "")
                .putHeader("Content-Type", "application/json")
                .timeout(timeoutMillis)
                .sendBuffer(Buffer.buffer(Json.encode(body(delivery))))
                .map(response -> answers.gatewayNotify(response, delivery.destination().pusher().pushkey()))
                .onFailure().recoverWithItem(e -> answers.failure(target, e));
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

    @PreDestroy
    void close() {
        client.close();
    }
}

package io.herald.dispatcher.send;

import com.fasterxml.jackson.databind.node.NullNode;
import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.PushContext;
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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends a delivery to a push gateway: {@code POST <pusher url>} with the Push Gateway API body
 * ({@code /_matrix/push/v1/notify}), to the address the {@link OutboundGuard} checked (users choose pusher URLs).
 * A pushkey listed in the answer's {@code rejected} is never retried. A push of a notification Herald also posts into a
 * Matrix room waits for that room delivery and carries the event id the homeserver answered.
 */
@ApplicationScoped
public class PushGatewaySender implements Sender {

    /**
     * How soon a push waiting for its room delivery looks again: a tenth of the time it has waited, within these bounds
     * (the room delivery may be another instance's, so its outcome is polled from the delivery log).
     */
    private static final Duration ROOM_DELIVERY_POLL_MIN = Duration.ofMillis(250);
    private static final Duration ROOM_DELIVERY_POLL_MAX = Duration.ofSeconds(5);

    private final WebClient client;
    private final long timeoutMillis;
    private final OutboundGuard guard;
    private final Answers answers;
    private final SentEvents roomEvents;

    PushGatewaySender(Vertx vertx, DispatcherConfig config, OutboundGuard guard, Answers answers,
            SentEvents roomEvents) {
        this.client = WebClient.create(vertx, new WebClientOptions().setUserAgent("Herald").setKeepAlive(true)
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setMaxPoolSize(config.gateway().maxConnections()).setFollowRedirects(false)
                .setTracingPolicy(TracingPolicy.IGNORE)); // traced by the lane, explicitly
        this.timeoutMillis = config.requestTimeout().toMillis();
        this.guard = guard;
        this.answers = answers;
        this.roomEvents = roomEvents;
    }

    @Override
    public Uni<SendResult> send(Delivery delivery) {
        PushContext push = delivery.push();
        if (push != null && push.roomDelivery() != null && delivery.event().eventId() == null) {
            return afterRoomDelivery(delivery, push.roomDelivery());
        }
        return send(delivery, delivery.event().eventId());
    }

    /**
     * A notification Herald also posts into a Matrix room: the push carries the event id the homeserver answered, so it
     * waits (a retry that does not count against the gateway) until the room delivery is done; when that delivery
     * ended undelivered (dead, rejected, purged) the push goes out without an event id.
     */
    private Uni<SendResult> afterRoomDelivery(Delivery delivery, String roomDelivery) {
        return roomEvents.outcome(roomDelivery).flatMap(outcome -> {
            if (outcome instanceof SentEvents.Outcome.Delivered delivered) {
                return send(delivery, delivered.eventId());
            }
            if (outcome instanceof SentEvents.Outcome.Undelivered) {
                // The room post failed for good (its dead letter can be replayed); the person is still told, as for a
                // room without a Matrix link: no event id, the full content.
                return send(delivery, null);
            }
            return Uni.createFrom().item(waiting(delivery, roomDelivery));
        }).onFailure().recoverWithItem(e -> waiting(delivery, roomDelivery));
    }

    private static SendResult waiting(Delivery delivery, String roomDelivery) {
        Duration waited = delivery.createdAt() == null ? Duration.ZERO
                : Duration.between(delivery.createdAt(), java.time.Instant.now());
        Duration poll = waited.dividedBy(10);
        poll = poll.compareTo(ROOM_DELIVERY_POLL_MIN) < 0 ? ROOM_DELIVERY_POLL_MIN
                : poll.compareTo(ROOM_DELIVERY_POLL_MAX) > 0 ? ROOM_DELIVERY_POLL_MAX : poll;
        return new SendResult.Waiting("waiting for its room delivery " + roomDelivery, poll);
    }

    private Uni<SendResult> send(Delivery delivery, String eventId) {
        return guard.verdict(OutboundGuard.Peer.PUSH_GATEWAY, delivery.destination().pusher().url())
                .flatMap(verdict -> verdict instanceof OutboundGuard.Verdict.Allowed allowed
                        ? post(delivery, eventId, allowed.target()) : Uni.createFrom().item(answers.notSent(verdict)));
    }

    private Uni<SendResult> post(Delivery delivery, String eventId, Target target) {
        return target.request(client, HttpMethod.POST, "")
                .putHeader("Content-Type", "application/json")
                .timeout(timeoutMillis)
                .sendBuffer(Buffer.buffer(Json.encode(body(delivery, eventId))))
                .map(response -> answers.gatewayNotify(response, delivery.destination().pusher().pushkey()))
                .onFailure().recoverWithItem(e -> answers.failure(target, e));
    }

    /** The Push Gateway API request body of a delivery (with the event id it carries). */
    public static Map<String, Object> body(Delivery delivery) {
        return body(delivery, delivery.event().eventId());
    }

    /**
     * The Push Gateway API request body, field for field what Synapse's HTTP pusher sends (docs/architecture.md,
     * "Pushes as Synapse sends them"): {@code event_id_only} pushers get the ids, {@code prio} and the counts and no
     * tweaks; the others the event's type, sender and content, the names, {@code membership} and
     * {@code user_is_target} for member events, and the device's tweaks. A badge update has only the counts.
     */
    static Map<String, Object> body(Delivery delivery, String eventId) {
        Destination.Pusher pusher = delivery.destination().pusher();
        PushContext push = delivery.push();
        Map<String, Object> device = new LinkedHashMap<>();
        device.put("app_id", pusher.appId());
        device.put("pushkey", pusher.pushkey());
        if (pusher.pushkeyTs() != null) {
            device.put("pushkey_ts", pusher.pushkeyTs() / 1000); // stored in milliseconds, sent in seconds (spec)
        }
        Map<String, Object> data = new LinkedHashMap<>(pusher.data() == null ? Map.of() : pusher.data());
        data.remove("url"); // the spec: the pusher's data "minus the url key"
        device.put("data", data);

        Map<String, Object> notification = new LinkedHashMap<>();
        if (push != null && push.badge()) {
            // Synapse's badge update: no event, an empty id and sender, a null type
            notification.put("id", "");
            notification.put("type", NullNode.getInstance()); // kept: the codec leaves out plain nulls
            notification.put("sender", "");
            notification.put("counts", counts(push));
            notification.put("devices", List.of(device));
            return Map.of("notification", notification);
        }
        MatrixEvent event = delivery.event();
        putIfPresent(notification, "event_id", eventId);
        putIfPresent(notification, "room_id", event.roomId());
        boolean eventIdOnly = "event_id_only".equals(pusher.format());
        if (!eventIdOnly) {
            notification.put("type", event.type());
            putIfPresent(notification, "sender", event.sender());
        }
        notification.put("prio", "high".equals(delivery.priority()) ? "high" : "low");
        notification.put("counts", counts(push));
        if (!eventIdOnly) {
            if ("m.room.member".equals(event.type()) && event.isState() && event.content() != null) {
                putIfPresent(notification, "membership", event.content().get("membership"));
                putIfPresent(notification, "user_is_target", push == null ? null : push.userIsTarget());
            }
            if (event.content() != null && !event.content().isEmpty()) {
                notification.put("content", event.content());
            }
            if (push != null) {
                putIfNotEmpty(notification, "sender_display_name", push.senderDisplayName());
                putIfNotEmpty(notification, "room_name", push.roomName());
                putIfNotEmpty(notification, "room_alias", push.roomAlias());
            }
            if (delivery.tweaks() != null && !delivery.tweaks().isEmpty()) {
                device.put("tweaks", delivery.tweaks());
            }
        }
        notification.put("devices", List.of(device));
        return Map.of("notification", notification);
    }

    /** {@code unread} always (0 too: Sygnal resets an app's badge only when it is there), {@code missed_calls} if any. */
    private static Map<String, Object> counts(PushContext push) {
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("unread", push == null || push.unread() == null ? 1 : push.unread());
        if (push != null && push.missedCalls() != null && push.missedCalls() > 0) {
            counts.put("missed_calls", push.missedCalls());
        }
        return counts;
    }

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    private static void putIfNotEmpty(Map<String, Object> map, String key, String value) {
        if (value != null && !value.isEmpty()) {
            map.put(key, value);
        }
    }

    @PreDestroy
    void close() {
        client.close();
    }
}

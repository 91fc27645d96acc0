package io.herald.rules.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.InvalidRecordException;
import io.herald.common.Json;
import io.herald.common.NotificationEvent;
import io.herald.pushrules.EvaluationResult;
import io.herald.rules.RulesConfig;
import io.herald.rules.push.PushCache;
import io.herald.rules.push.PushStore;
import io.herald.rules.push.RoomEvaluator;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which deliveries a notification makes: one into the linked Matrix room (if any), and one per pusher of
 * every member (but the sender) whose push rules say to notify.
 */
@ApplicationScoped
public class DeliveryPlanner {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(DeliveryPlanner.class);

    private final Duration deadline;
    private final RoomEvaluator evaluator;
    private final PushCache cache;
    private final RoutingMetrics metrics;

    DeliveryPlanner(RulesConfig config, RoomEvaluator evaluator, PushCache cache, RoutingMetrics metrics) {
        this.deadline = config.deliveryDeadline();
        this.evaluator = evaluator;
        this.cache = cache;
        this.metrics = metrics;
    }

    /**
     * The deliveries of one notification. Their ids are derived from the notification id and the destination, so
     * planning the same notification again (after a crash before the offset commit) yields the same deliveries.
     *
     * @throws InvalidRecordException when the room does not exist (the record is dead-lettered)
     */
    public List<Delivery> plan(NotificationEvent notification) {
        PushStore.RoomRow room = cache.room(notification.room());
        if (room == null) {
            throw new InvalidRecordException("unknown room '" + notification.room() + "'");
        }
        List<Delivery> deliveries = new ArrayList<>(1);
        Instant now = Instant.now();
        if (room.linkedToMatrix()) {
            String account = room.accountFor(notification.account());
            if (notification.account() != null && !account.equals(notification.account())) {
                LOG.warnf("notification %s asks to post as account '%s', which room %s does not list among its"
                        + " source_accounts: posted as the room's account", notification.id(), notification.account(),
                        room.key());
            }
            Destination destination = Destination.room(account, room.matrixRoomId());
            deliveries.add(new Delivery(Delivery.idFor(notification.id(), destination), notification.id(),
                    notification.room(), destination, notification.event(), Map.of(), "high", 0,
                    now.plus(deadline), now, room.tenant(), notification.receivedAt()));
        }
        // One delivery per destination: a pushkey registered by several users (append=true) would otherwise give
        // deliveries with the same id; the first member (in user id order) decides its tweaks.
        Set<String> destinations = new HashSet<>();
        ObjectNode event = Json.MAPPER.valueToTree(notification.event());
        List<RoomEvaluator.MemberResult> evaluated = evaluator.evaluate(room.key(), room.matrixRoomId(), event, true);
        metrics.evaluated(evaluated);
        for (RoomEvaluator.MemberResult r : evaluated) {
            EvaluationResult result = r.result();
            if (!result.shouldNotify()) {
                continue;
            }
            Map<String, Object> tweaks = tweaks(result.tweaks());
            String priority = pushPriority(notification.priority(), result);
            for (PushStore.PusherRow p : cache.pushers(r.member().userId())) {
                Destination destination = Destination.pusher(pusher(p));
                if (!destinations.add(destination.key())) {
                    continue;
                }
                deliveries.add(new Delivery(Delivery.idFor(notification.id(), destination), notification.id(),
                        notification.room(), destination, notification.event(), tweaks, priority, 0,
                        now.plus(deadline), now, room.tenant(), notification.receivedAt()));
            }
        }
        return deliveries;
    }

    /**
     * A push's {@code prio}: what the notification's priority says ({@code high}/{@code urgent}: high, {@code min}/
     * {@code low}: low), else what the push rules say (high when they highlight or play a sound).
     */
    public static String pushPriority(String notificationPriority, EvaluationResult result) {
        if ("high".equals(notificationPriority) || "urgent".equals(notificationPriority)) {
            return "high";
        }
        if ("min".equals(notificationPriority) || "low".equals(notificationPriority)) {
            return "low";
        }
        return result.highlight() || result.sound() != null ? "high" : "low";
    }

    /**
     * The pusher as a destination: gateway URL ({@code data.url}), app id, pushkey, {@code data.format}, and
     * {@code data} without {@code url} (what the gateway is sent, per the spec).
     */
    static Destination.Pusher pusher(PushStore.PusherRow p) {
        JsonNode url = p.data().get("url");
        JsonNode format = p.data().get("format");
        ObjectNode data = p.data().deepCopy();
        data.remove("url");
        @SuppressWarnings("unchecked")
        Map<String, Object> dataMap = Json.MAPPER.convertValue(data, LinkedHashMap.class);
        return new Destination.Pusher(url.textValue(), p.appId(), p.pushkey(), p.pushkeyTs(),
                format != null && format.isTextual() ? format.textValue() : null, dataMap);
    }

    static Map<String, Object> tweaks(Map<String, JsonNode> tweaks) {
        Map<String, Object> out = new LinkedHashMap<>();
        tweaks.forEach((k, v) -> out.put(k, Json.MAPPER.convertValue(v, Object.class)));
        return out;
    }
}

package io.herald.rules.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.InvalidRecordException;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.NotificationEvent;
import io.herald.common.PushContext;
import io.herald.pushrules.EvaluationResult;
import io.herald.pushrules.PushRulesJson;
import io.herald.rules.RulesConfig;
import io.herald.rules.counts.Counts;
import io.herald.rules.evaluation.Evaluations;
import io.herald.rules.matrix.FedRooms;
import io.herald.rules.push.PushCache;
import io.herald.rules.push.PushDeliveries;
import io.herald.rules.push.PushStore;
import io.herald.rules.push.RoomEvaluator;
import io.vertx.core.Context;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which deliveries a notification makes: one into the linked Matrix room (if any), and one per pusher of
 * every member (but the sender) whose push rules say to notify.
 *
 * <p>Pushes carry what a homeserver's would (docs/architecture.md, "Pushes as Synapse sends them"): the room id (the
 * linked Matrix room's, else the Herald room key), the event id (for a linked room the one the homeserver answers:
 * the push waits for the room delivery) and the members' unread counts, kept like those of Matrix rooms. A linked
 * Matrix room that is fed through herald.events gets no pushes here: the notification comes back on herald.events
 * once posted, and is pushed from there like any event of the room.
 */
@ApplicationScoped
public class DeliveryPlanner {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(DeliveryPlanner.class);

    private final Duration deadline;
    private final RoomEvaluator evaluator;
    private final PushCache cache;
    private final FedRooms fedRooms;
    private final Counts counts;
    private final RoutingMetrics metrics;
    private final Evaluations evaluations;

    DeliveryPlanner(RulesConfig config, RoomEvaluator evaluator, PushCache cache, FedRooms fedRooms, Counts counts,
            RoutingMetrics metrics, Evaluations evaluations) {
        this.evaluations = evaluations;
        this.deadline = config.deliveryDeadline();
        this.evaluator = evaluator;
        this.cache = cache;
        this.fedRooms = fedRooms;
        this.counts = counts;
        this.metrics = metrics;
    }

    /**
     * The deliveries of one notification. Their ids are derived from the notification id and the destination, so
     * planning the same notification again (after a crash before the offset commit) yields the same deliveries.
     *
     * @param acceptedBy the API key ingest accepted it with (the record's {@code herald-api-key} header), or null
     * @throws InvalidRecordException when the room does not exist (the record is dead-lettered)
     */
    public List<Delivery> plan(NotificationEvent notification, String acceptedBy) {
        List<Delivery> deliveries = plan(notification);
        if (acceptedBy != null) {
            deliveries.replaceAll(d -> d.acceptedBy(acceptedBy));
        }
        return deliveries;
    }

    /** The deliveries of a notification whose key is not known. */
    public List<Delivery> plan(NotificationEvent notification) {
        PushStore.RoomRow room = cache.room(notification.room());
        if (room == null) {
            throw new InvalidRecordException("unknown room '" + notification.room() + "'");
        }
        List<Delivery> deliveries = new ArrayList<>(1);
        Instant now = Instant.now();
        String roomDelivery = null;
        if (room.linkedToMatrix()) {
            String account = room.accountFor(notification.account());
            if (notification.account() != null && !account.equals(notification.account())) {
                LOG.warnf("notification %s asks to post as account '%s', which room %s does not list among its"
                        + " source_accounts: posted as the room's account", notification.id(), notification.account(),
                        room.key());
            }
            Destination destination = Destination.room(account, room.matrixRoomId());
            roomDelivery = Delivery.idFor(notification.id(), destination);
            deliveries.add(new Delivery(roomDelivery, notification.id(), notification.room(), destination,
                    notification.event(), Map.of(), "high", 0, now.plus(deadline), now, room.tenant(),
                    notification.receivedAt()));
            if (fedRooms.fed(room.matrixRoomId())) {
                return deliveries;
            }
        }
        ObjectNode event = Json.MAPPER.valueToTree(notification.event());
        List<RoomEvaluator.MemberResult> evaluated = evaluator.evaluate(room.key(), room.matrixRoomId(), event, true);
        if (evaluated.isEmpty()) {
            return deliveries;
        }
        if (Context.isOnEventLoopThread()) {
            // the evaluation and the counts are written to PostgreSQL: planned again on a worker
            throw PushCache.MissOnEventLoop.INSTANCE;
        }
        metrics.evaluated(evaluated);
        evaluations.record(notification.id(), notification.room(), room.tenant(), evaluated);
        List<RoomEvaluator.MemberResult> notified = new ArrayList<>();
        for (RoomEvaluator.MemberResult r : evaluated) {
            if (r.result().shouldNotify()) {
                notified.add(r);
            }
        }
        if (notified.isEmpty()) {
            return deliveries;
        }
        String roomId = room.linkedToMatrix() ? room.matrixRoomId() : room.key();
        MatrixEvent pushed = notification.event().in(roomId, notification.event().eventId());
        boolean call = "m.call.invite".equals(pushed.type());
        long ts = notification.receivedAt() == null ? now.toEpochMilli() : notification.receivedAt().toEpochMilli();
        Map<String, Counts.Badge> badges = counts.record(roomId, notification.id(), Json.encode(pushed),
                notified.stream().map(r -> new Counts.Action(r.member().userId(), roomId, 0, Counts.MAIN,
                        r.result().highlight(), call, PushRulesJson.actionsToJson(r.result().actions()).toString(), ts))
                        .toList());
        String waitFor = pushed.eventId() == null ? roomDelivery : null;
        String senderName = senderName(room.key(), pushed.sender());
        // One delivery per destination: a pushkey registered by several users (append=true) would otherwise give
        // deliveries with the same id; the first member (in user id order) decides its tweaks.
        Set<String> destinations = new HashSet<>();
        for (RoomEvaluator.MemberResult r : notified) {
            EvaluationResult result = r.result();
            Counts.Badge badge = badges.getOrDefault(r.member().userId(), Counts.Badge.NONE);
            PushContext context = new PushContext(senderName, null, null, null, badge.unread(),
                    call ? badge.missedCalls() : null, waitFor, false, result.ruleId());
            PushDeliveries.add(new PushDeliveries.Push(notification.id(), notification.room(), pushed,
                    PushDeliveries.tweaks(result.tweaks()), pushPriority(notification.priority(), result, pushed.type()), now,
                    now.plus(deadline), room.tenant(), notification.receivedAt(), context),
                    cache.pushers(r.member().userId()), destinations, deliveries);
        }
        return deliveries;
    }

    /** The sender's display name among the room's members (admin-kept), if they are one and have one. */
    private String senderName(String room, String sender) {
        if (sender == null) {
            return null;
        }
        for (PushStore.MemberRow m : cache.members(room)) {
            if (m.userId().equals(sender)) {
                return m.displayName();
            }
        }
        return null;
    }

    /**
     * A push's {@code prio}: what the notification's priority says ({@code high}/{@code urgent}: high, {@code min}/
     * {@code low}: low), else what the push rules say, as Synapse decides it ({@link PushDeliveries#priority}).
     */
    public static String pushPriority(String notificationPriority, EvaluationResult result, String eventType) {
        if ("high".equals(notificationPriority) || "urgent".equals(notificationPriority)) {
            return "high";
        }
        if ("min".equals(notificationPriority) || "low".equals(notificationPriority)) {
            return "low";
        }
        return PushDeliveries.priority(result, eventType);
    }
}

package io.herald.rules.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.common.Delivery;
import io.herald.common.Json;
import io.herald.common.Limits;
import io.herald.common.MatrixEvent;
import io.herald.common.PushContext;
import io.herald.pushrules.CompiledRuleSet;
import io.herald.pushrules.EvaluationResult;
import io.herald.pushrules.Member;
import io.herald.pushrules.PushEvent;
import io.herald.pushrules.PushRuleEvaluator;
import io.herald.pushrules.PushRulesJson;
import io.herald.pushrules.Recipient;
import io.herald.rules.RulesConfig;
import io.herald.rules.counts.Badges;
import io.herald.rules.counts.Counts;
import io.herald.rules.push.PushCache;
import io.herald.rules.push.PushDeliveries;
import io.herald.rules.push.PushStore;
import io.opentelemetry.api.trace.Span;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * What a homeserver's push module does with each event, for a batch of records of herald.events: evaluates every
 * local member's push rules (who Synapse evaluates, with the room's state before the event), keeps the room's state
 * from its state events, counts the notifications and moves read receipts, and plans the pushes with the room's
 * names and the recipients' badges (docs/architecture.md, "Matrix rooms: state, counts, pushes").
 *
 * <p>A batch is written in one transaction (state, events' index, push actions, counts, receipts), then the badges
 * are read once for every recipient: pushes of one batch carry the counts as they are after it, as Synapse's pusher
 * counts when it gets to an event. Events of a batch that were indexed before (a batch processed again after a crash)
 * are pushed again (gateways drop duplicates by event id) but not counted again.
 */
@ApplicationScoped
public class EventProcessor {

    /**
     * One record of herald.events, with its trace: the span of its processing ({@code process herald.events}), which
     * the pushes it makes continue; {@link Span#getInvalid()} when it is not traced.
     */
    public record In(String key, byte[] value, int partition, long offset, Span trace) {
    }

    /** A record that cannot be processed, and why. */
    public record Rejected(In record, String reason) {
    }

    /** A batch's records read: the Matrix events, and the records to dead-letter. */
    public record Batch(List<Parsed> events, List<Rejected> rejected) {
    }

    /**
     * What the first {@code consumed} events of a batch make: deliveries in order, and beside each the trace of the
     * record it came from ({@code traces}, as long as {@code deliveries}).
     */
    public record Result(List<Delivery> deliveries, List<Span> traces, int consumed) {
    }

    /**
     * Member evaluations one transaction takes on before it ends (after the event that reaches it): a batch of
     * messages into rooms of 10,000 members is written, and its pushes held in memory, a few events at a time.
     */
    static final int EVALUATIONS_PER_TRANSACTION = 20_000;

    private static final String MEMBER = RoomState.MEMBER;

    private final RoomStates states;
    private final StateStore stateStore;
    private final FedRooms fedRooms;
    private final Counts counts;
    private final Badges badges;
    private final PushCache cache;
    private final Duration deadline;
    private final Optional<String> serverSuffix;
    private final DataSource dataSource;

    EventProcessor(RoomStates states, StateStore stateStore, FedRooms fedRooms, Counts counts, Badges badges,
            PushCache cache, RulesConfig config, DataSource dataSource) {
        this.states = states;
        this.stateStore = stateStore;
        this.fedRooms = fedRooms;
        this.counts = counts;
        this.badges = badges;
        this.cache = cache;
        this.deadline = config.deliveryDeadline();
        this.serverSuffix = config.events().serverName().map(s -> ":" + s);
        this.dataSource = dataSource;
    }

    /** A record that is a Matrix event. */
    public record Parsed(In in, ObjectNode json, MatrixEvent event) {
    }

    /** A push to plan once the badges are known: an event's for a user, or a badge update after a receipt. */
    private record Plan(Parsed event, String userId, EvaluationResult result, PushContext context,
            List<PushStore.PusherRow> pushers, String badgeKey) {
    }

    /** Reads a batch's records. */
    public Batch read(List<In> records) {
        List<Rejected> rejected = new ArrayList<>();
        return new Batch(parse(records, rejected), rejected);
    }

    /**
     * Processes the first events of {@code events}, in one transaction, up to {@link #EVALUATIONS_PER_TRANSACTION};
     * blocking (PostgreSQL). On failure nothing is kept and the events may be processed again.
     */
    public Result process(List<Parsed> events) {
        if (events.isEmpty()) {
            return new Result(List.of(), List.of(), 0);
        }
        List<String> roomIds = events.stream().map(p -> p.event().roomId()).distinct().toList();
        Map<String, RoomState> rooms = new HashMap<>(states.get(roomIds));
        Set<String> emptyBefore = new HashSet<>();
        int[] consumed = new int[1];
        List<Plan> plans;
        try {
            plans = QuarkusTransaction.requiringNew().call(() -> {
                stateStore.lock(roomIds);
                // another instance may have processed these rooms' records meanwhile (partitions moved): read again
                List<String> stale = new ArrayList<>();
                stateStore.maxPositions(roomIds).forEach((id, pos) -> {
                    if (pos > rooms.get(id).highWater()) {
                        stale.add(id);
                    }
                });
                if (!stale.isEmpty()) {
                    states.forget(stale);
                    rooms.putAll(states.get(stale));
                }
                rooms.forEach((id, s) -> {
                    if (s.memberCount() == 0 && s.piece(RoomState.CREATE) == null) {
                        emptyBefore.add(id);
                    }
                });
                return process(events, rooms, consumed);
            });
        } catch (RuntimeException e) {
            // The rooms' state in memory may be ahead of what was committed: read it again next time.
            states.forget(rooms.keySet());
            throw e;
        }
        states.changed(rooms.values());
        rooms.forEach((id, s) -> {
            if (emptyBefore.contains(id) && (s.memberCount() > 0 || s.piece(RoomState.CREATE) != null)) {
                fedRooms.learned(id);
            }
        });
        List<Span> traces = new ArrayList<>();
        return new Result(deliveries(plans, traces), traces, consumed[0]);
    }

    /**
     * The first events of a batch, in the transaction that holds their rooms' locks (sets {@code consumed[0]} to how
     * many); answers the pushes to plan once it is committed.
     */
    private List<Plan> process(List<Parsed> all, Map<String, RoomState> rooms, int[] consumed) {
        List<Parsed> events = withinBudget(all, rooms);
        consumed[0] = events.size();
        Map<String, Counts.EventRef> known = lookups(events);
        int fresh = 0;
        for (Parsed p : events) {
            if (!isReceipt(p) && !known.containsKey(key(p.event().roomId(), p.event().eventId()))) {
                fresh++;
            }
        }
        long[] positions = counts.positions(fresh);
        int next = 0;

        List<Counts.EventRow> eventRows = new ArrayList<>();
        List<Counts.Action> actions = new ArrayList<>();
        List<Counts.Receipt> receipts = new ArrayList<>();
        List<StateStore.Change> changes = new ArrayList<>();
        List<Plan> plans = new ArrayList<>();
        Map<EvaluationResult, String> actionsJson = new IdentityHashMap<>();
        for (Parsed p : events) {
            MatrixEvent ev = p.event();
            RoomState room = rooms.get(ev.roomId());
            if (isReceipt(p)) {
                receipts(p, known, receipts, plans);
                continue;
            }
            String k = key(ev.roomId(), ev.eventId());
            Counts.EventRef ref = known.get(k);
            boolean replay = ref != null;
            long pos = replay ? ref.pos() : positions[next++];
            String thread = replay ? ref.threadId() : thread(ev, known);
            known.put(k, new Counts.EventRef(pos, thread));
            room.seen(pos);

            List<String> recipients = recipients(ev, room);
            Map<String, CompiledRuleSet> rules = cache.rules(recipients);
            List<Member> members = new ArrayList<>(recipients.size());
            for (String uid : recipients) {
                members.add(new Member(Recipient.of(uid, displayName(uid, ev, room)), rules.get(uid)));
            }
            EvaluationResult[] results = new EvaluationResult[members.size()];
            PushRuleEvaluator.evaluateAll(PushEvent.of(p.json()), room.context(), members, results);
            List<String> notified = new ArrayList<>();
            long ts = ev.originServerTs() != null ? ev.originServerTs() : System.currentTimeMillis();
            for (int i = 0; i < results.length; i++) {
                EvaluationResult r = results[i];
                if (!r.shouldNotify()) {
                    continue;
                }
                String uid = recipients.get(i);
                notified.add(uid);
                if (!replay) {
                    actions.add(new Counts.Action(uid, ev.roomId(), pos, thread, r.highlight(),
                            "m.call.invite".equals(ev.type()), actionsJson.computeIfAbsent(r,
                                    x -> PushRulesJson.actionsToJson(x.actions()).toString()), ts));
                }
            }
            if (!replay) {
                eventRows.add(new Counts.EventRow(ev.roomId(), pos, ev.eventId(), thread,
                        notified.isEmpty() ? null : p.json().toString()));
            }
            // the state after the event: what the push shows (a renamed room's new name, the invite's inviter)
            if (ev.isState()) {
                Object changed = room.apply(ev.type(), ev.stateKey(), ev.sender(), ev.eventId(), content(p), ts, pos);
                if (changed != null) {
                    changes.add(new StateStore.Change(ev.roomId(), changed));
                }
            }
            Map<String, List<PushStore.PusherRow>> pushers = cache.pushers(notified);
            for (int i = 0, n = 0; i < results.length; i++) {
                if (!results[i].shouldNotify()) {
                    continue;
                }
                String uid = notified.get(n++);
                List<PushStore.PusherRow> own = pushers.getOrDefault(uid, List.of());
                if (!own.isEmpty()) {
                    plans.add(new Plan(p, uid, results[i], context(ev, room, uid), own, null));
                }
            }
        }

        try (var c = dataSource.getConnection()) {
            stateStore.save(c, changes);
            counts.write(c, eventRows, actions, receipts);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("database error: " + e.getMessage(), e);
        }
        return plans;
    }

    /** The plans' deliveries; the trace each one continues is added to {@code traces}. */
    private List<Delivery> deliveries(List<Plan> plans, List<Span> traces) {
        Set<String> users = new LinkedHashSet<>();
        plans.forEach(p -> users.add(p.userId()));
        Map<String, Counts.Badge> badgeOf = counts.badges(users);
        List<Delivery> out = new ArrayList<>();
        Instant now = Instant.now();
        Map<String, Set<String>> destinationsByEvent = new HashMap<>();
        for (Plan plan : plans) {
            Counts.Badge badge = badgeOf.getOrDefault(plan.userId(), Counts.Badge.NONE);
            MatrixEvent ev = plan.event().event();
            if (plan.badgeKey() != null) {
                // a receipt: Synapse sends a badge update when the badge is not the one it last sent
                if (!badges.changed(plan.userId(), badge.unread())) {
                    continue;
                }
                PushDeliveries.add(new PushDeliveries.Push(plan.badgeKey(), room(ev.roomId()),
                        new MatrixEvent(MatrixEvent.RECEIPT, plan.userId(), Map.of(), null, null, ev.roomId(), null, null),
                        Map.of(), "low", now, now.plus(deadline), null, now, PushContext.badge(badge.unread(), 0)),
                        plan.pushers(), new HashSet<>(), out);
                traced(plan, out, traces);
                continue;
            }
            badges.sent(plan.userId(), badge.unread());
            PushContext c = plan.context();
            boolean call = "m.call.invite".equals(ev.type());
            PushContext context = new PushContext(c.senderDisplayName(), c.roomName(), c.roomAlias(), c.userIsTarget(),
                    badge.unread(), call ? badge.missedCalls() : null, null, false, plan.result().ruleId());
            MatrixEvent pushed = new MatrixEvent(ev.type(), ev.sender(), ev.content(), ev.stateKey(), ev.eventId(),
                    ev.roomId(), ev.originServerTs(), null);
            PushDeliveries.add(new PushDeliveries.Push(ev.eventId(), room(ev.roomId()), pushed,
                    PushDeliveries.tweaks(plan.result().tweaks()), PushDeliveries.priority(plan.result(), ev.type()),
                    now, now.plus(deadline), null, now, context), plan.pushers(),
                    destinationsByEvent.computeIfAbsent(ev.roomId() + "\n" + ev.eventId(), k -> new HashSet<>()), out);
            traced(plan, out, traces);
        }
        return out;
    }

    /** The deliveries just added for {@code plan} continue the trace of its record. */
    private static void traced(Plan plan, List<Delivery> out, List<Span> traces) {
        while (traces.size() < out.size()) {
            traces.add(plan.event().in().trace());
        }
    }

    /** Deliveries name a room key of at most 128 characters (the dispatcher's column): the room id when it fits. */
    private static String room(String roomId) {
        return roomId.length() <= 128 ? roomId : null;
    }

    /** The first events whose evaluations stay within the budget (at least one). */
    private static List<Parsed> withinBudget(List<Parsed> events, Map<String, RoomState> rooms) {
        long evaluations = 0;
        for (int i = 0; i < events.size(); i++) {
            Parsed p = events.get(i);
            evaluations += isReceipt(p) || MEMBER.equals(p.event().type()) ? 1 : rooms.get(p.event().roomId()).joinedCount();
            if (evaluations >= EVALUATIONS_PER_TRANSACTION) {
                return events.subList(0, i + 1);
            }
        }
        return events;
    }

    // ---- who is evaluated (Synapse's BulkPushRuleEvaluator._get_rules_for_event)

    /**
     * A member event is evaluated only for its target (when someone else changed the membership of a joined user, or
     * invited them); every other event for the joined members. Never for the sender; only local users when
     * {@code herald.rules.events.server-name} is set.
     */
    private List<String> recipients(MatrixEvent ev, RoomState room) {
        List<String> out = new ArrayList<>();
        if (MEMBER.equals(ev.type())) {
            String target = ev.stateKey();
            if (target == null || target.equals(ev.sender()) || !local(target)) {
                return out;
            }
            if (RoomState.JOIN.equals(room.membership(target))) {
                out.add(target);
            }
            Object membership = ev.content() == null ? null : ev.content().get("membership");
            if (RoomState.INVITE.equals(membership) && out.isEmpty()) {
                out.add(target);
            }
            return out;
        }
        for (String uid : room.joinedMembers()) {
            if (!uid.equals(ev.sender()) && local(uid)) {
                out.add(uid);
            }
        }
        return out;
    }

    private boolean local(String userId) {
        return serverSuffix.isEmpty() || userId.endsWith(serverSuffix.get());
    }

    /** The display name rules see: the member's in the room, or the one a member event about them gives. */
    private static String displayName(String userId, MatrixEvent ev, RoomState room) {
        RoomState.Member m = room.member(userId);
        if (m != null && m.joined() && m.displayName() != null && !m.displayName().isEmpty()) {
            return m.displayName();
        }
        if (MEMBER.equals(ev.type()) && userId.equals(ev.stateKey()) && ev.content() != null
                && ev.content().get("displayname") instanceof String name) {
            return name;
        }
        return null;
    }

    /** What the push shows about the room and the sender (state after the event), for one recipient. */
    private static PushContext context(MatrixEvent ev, RoomState room, String userId) {
        Boolean target = MEMBER.equals(ev.type()) && ev.isState() ? userId.equals(ev.stateKey()) : null;
        return new PushContext(room.senderDisplayName(ev.sender()), room.roomName(userId), room.canonicalAlias(),
                target, null, null, null, false);
    }

    // ---- threads and receipts

    /**
     * The event's thread, as Synapse finds it: the thread it is in ({@code m.thread}), else the thread of the event
     * it relates to (an edit or reaction in a thread), else the main timeline.
     */
    private static String thread(MatrixEvent ev, Map<String, Counts.EventRef> known) {
        JsonNode relates = relation(ev);
        if (relates == null) {
            return Counts.MAIN;
        }
        String parent = relates.path("event_id").textValue();
        if ("m.thread".equals(relates.path("rel_type").textValue())) {
            return parent;
        }
        Counts.EventRef ref = known.get(key(ev.roomId(), parent));
        return ref == null ? Counts.MAIN : ref.threadId();
    }

    private static JsonNode relation(MatrixEvent ev) {
        Object r = ev.content() == null ? null : ev.content().get("m.relates_to");
        if (!(r instanceof Map)) {
            return null;
        }
        JsonNode relates = Json.MAPPER.valueToTree(r);
        return relates.path("event_id").isTextual() && relates.path("rel_type").isTextual() ? relates : null;
    }

    /**
     * {@code m.read} and {@code m.read.private} receipts of the event: each moves its user's receipt in the room (or
     * in a thread) to the event it names, when Herald knows that event; users with pushers get a badge update.
     */
    private void receipts(Parsed p, Map<String, Counts.EventRef> known, List<Counts.Receipt> out, List<Plan> plans) {
        MatrixEvent ev = p.event();
        Set<String> users = new LinkedHashSet<>();
        p.json().path("content").properties().forEach(byEvent -> {
            Counts.EventRef ref = known.get(key(ev.roomId(), byEvent.getKey()));
            if (ref == null) {
                return; // an event Herald never saw: nothing of it is counted
            }
            for (String type : new String[] {"m.read", "m.read.private"}) {
                byEvent.getValue().path(type).properties().forEach(byUser -> {
                    String user = byUser.getKey();
                    if (Limits.userIdProblem(user) != null || !local(user)) {
                        return;
                    }
                    JsonNode thread = byUser.getValue().path("thread_id");
                    out.add(new Counts.Receipt(user, ev.roomId(), thread.isTextual() ? thread.textValue() : "",
                            ref.pos(), byEvent.getKey()));
                    users.add(user);
                });
            }
        });
        Map<String, List<PushStore.PusherRow>> pushers = cache.pushers(users);
        for (String user : users) {
            List<PushStore.PusherRow> own = pushers.getOrDefault(user, List.of());
            if (!own.isEmpty()) {
                plans.add(new Plan(p, user, null, null, own, "badge:" + p.in().partition() + ":" + p.in().offset()
                        + ":" + user));
            }
        }
    }

    /** The indexed events the batch names: its own (replays), the events receipts name and relations point to. */
    private Map<String, Counts.EventRef> lookups(List<Parsed> events) {
        Map<String, String[]> wanted = new LinkedHashMap<>();
        for (Parsed p : events) {
            MatrixEvent ev = p.event();
            if (isReceipt(p)) {
                p.json().path("content").fieldNames().forEachRemaining(id -> wanted.put(key(ev.roomId(), id),
                        new String[] {ev.roomId(), id}));
                continue;
            }
            wanted.put(key(ev.roomId(), ev.eventId()), new String[] {ev.roomId(), ev.eventId()});
            JsonNode relates = relation(ev);
            if (relates != null) {
                String parent = relates.path("event_id").textValue();
                wanted.put(key(ev.roomId(), parent), new String[] {ev.roomId(), parent});
            }
        }
        List<String> roomIds = new ArrayList<>(wanted.size());
        List<String> eventIds = new ArrayList<>(wanted.size());
        wanted.values().forEach(w -> {
            roomIds.add(w[0]);
            eventIds.add(w[1]);
        });
        return counts.find(roomIds, eventIds);
    }

    private static String key(String roomId, String eventId) {
        return roomId + "\n" + eventId;
    }

    private static boolean isReceipt(Parsed p) {
        return MatrixEvent.RECEIPT.equals(p.event().type());
    }

    private static JsonNode content(Parsed p) {
        return p.json().path("content");
    }

    // ---- records in

    private static List<Parsed> parse(List<In> records, List<Rejected> rejected) {
        List<Parsed> out = new ArrayList<>(records.size());
        for (In in : records) {
            try {
                JsonNode json = in.value() == null ? null : Json.MAPPER.readTree(in.value());
                if (json == null || !json.isObject()) {
                    rejected.add(new Rejected(in, "not a JSON object"));
                    continue;
                }
                MatrixEvent event = Json.MAPPER.treeToValue(json, MatrixEvent.class);
                List<Limits.Violation> problems = event.roomEventViolations();
                if (!problems.isEmpty()) {
                    rejected.add(new Rejected(in, String.join("; ", problems.stream().map(Object::toString).toList())));
                    continue;
                }
                out.add(new Parsed(in, (ObjectNode) json, event));
            } catch (IOException | IllegalArgumentException e) {
                rejected.add(new Rejected(in, "not a valid Matrix event: " + e.getMessage()));
            }
        }
        return out;
    }
}

package io.herald.rules.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.pushrules.RoomContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What Herald knows of one Matrix room, from its state events: the members (membership and display name), the power
 * levels, name, canonical alias and create event. Owned by the consumer of the room's partition; not thread-safe.
 *
 * <p>A state event replaces what it names only when it is newer than what is kept: a later {@code origin_server_ts},
 * or the same one and later in the stream. So a state event that arrives late (an older join after a leave) or again
 * (a replay) never rolls the state back.
 */
public final class RoomState {

    /** Room-wide state Herald keeps (state key ""). */
    static final String CREATE = "m.room.create";
    static final String POWER_LEVELS = "m.room.power_levels";
    static final String NAME = "m.room.name";
    static final String CANONICAL_ALIAS = "m.room.canonical_alias";
    static final String MEMBER = "m.room.member";
    static final Set<String> ROOM_STATE = Set.of(CREATE, POWER_LEVELS, NAME, CANONICAL_ALIAS);

    public static final String JOIN = "join";
    public static final String INVITE = "invite";

    /** Synapse's test of an alias a room name may fall back to (looser than what may be registered). */
    private static final Pattern ALIAS = Pattern.compile("^#.*:.+$", Pattern.DOTALL);

    /** A member's current state. */
    public record Member(String userId, String membership, String displayName, String sender, String eventId,
            long ts, long pos) {
        boolean joined() {
            return JOIN.equals(membership);
        }

        boolean joinedOrInvited() {
            return JOIN.equals(membership) || INVITE.equals(membership);
        }

        /** Synapse's {@code name_from_member_event}: the display name, else the user id. */
        String name() {
            return displayName != null && !displayName.isEmpty() ? displayName : userId;
        }
    }

    /** One piece of room-wide state: the event's content and where it stands in time. */
    public record Piece(String type, String eventId, String sender, long ts, long pos, ObjectNode content) {
    }

    private final String roomId;
    private final Map<String, Member> members = new HashMap<>();
    private final Map<String, Piece> pieces = new HashMap<>();
    private int joined;
    /** The newest stream position of the room this state has seen (events applied or skipped, or loaded). */
    private long highWater;
    /** Join and invite members by their member event's time, oldest first (Synapse names rooms after them). */
    private List<Member> byTime;
    private RoomContext context;

    RoomState(String roomId) {
        this.roomId = roomId;
    }

    public String roomId() {
        return roomId;
    }

    /** Loads a stored member (no ordering checks). */
    void load(Member m) {
        Member old = members.put(m.userId(), m);
        joined += (m.joined() ? 1 : 0) - (old != null && old.joined() ? 1 : 0);
        byTime = null;
        context = null;
    }

    /** Loads a stored piece of room-wide state. */
    void load(Piece p) {
        pieces.put(p.type(), p);
        context = null;
    }

    public Member member(String userId) {
        return members.get(userId);
    }

    public String membership(String userId) {
        Member m = members.get(userId);
        return m == null ? null : m.membership();
    }

    long highWater() {
        return highWater;
    }

    void seen(long pos) {
        highWater = Math.max(highWater, pos);
    }

    public int memberCount() {
        return members.size();
    }

    public int joinedCount() {
        return joined;
    }

    /** Joined members, in no particular order. */
    public List<String> joinedMembers() {
        List<String> out = new ArrayList<>(joined);
        for (Member m : members.values()) {
            if (m.joined()) {
                out.add(m.userId());
            }
        }
        return out;
    }

    public List<Member> members() {
        return List.copyOf(members.values());
    }

    public Piece piece(String type) {
        return pieces.get(type);
    }

    /**
     * Applies a state event if it is one Herald keeps and newer than what it names.
     *
     * @return the member or piece now kept, or null when nothing changed
     */
    Object apply(String type, String stateKey, String sender, String eventId, JsonNode content, long ts, long pos) {
        if (MEMBER.equals(type)) {
            Member old = members.get(stateKey);
            if (old != null && !newer(ts, pos, old.ts(), old.pos(), eventId, old.eventId())) {
                return null;
            }
            JsonNode membership = content.get("membership");
            if (membership == null || !membership.isTextual()) {
                return null;
            }
            JsonNode name = content.get("displayname");
            Member m = new Member(stateKey, membership.textValue(), name != null && name.isTextual() ? name.textValue()
                    : null, sender, eventId, ts, pos);
            load(m);
            return m;
        }
        if (ROOM_STATE.contains(type) && "".equals(stateKey) && content.isObject()) {
            Piece old = pieces.get(type);
            if (old != null && !newer(ts, pos, old.ts(), old.pos(), eventId, old.eventId())) {
                return null;
            }
            Piece p = new Piece(type, eventId, sender, ts, pos, (ObjectNode) content);
            load(p);
            return p;
        }
        return null;
    }

    private static boolean newer(long ts, long pos, long oldTs, long oldPos, String eventId, String oldEventId) {
        if (eventId != null && eventId.equals(oldEventId)) {
            return false; // the same event again
        }
        return ts > oldTs || (ts == oldTs && pos > oldPos);
    }

    /** The room facts push rules read: joined members, power levels, creators (room versions 11 and 12 rules). */
    public RoomContext context() {
        if (context == null) {
            Piece pl = pieces.get(POWER_LEVELS);
            RoomContext c = RoomContext.of(joined, pl == null ? null : pl.content());
            Piece create = pieces.get(CREATE);
            if (create != null) {
                c = c.withCreators(creators(create), privilegedCreators(create));
            }
            context = c;
        }
        return context;
    }

    /** The room's creators: content.creator (v1-10), the sender (v11+), plus additional_creators (v12+). */
    static Set<String> creators(Piece create) {
        Set<String> out = new LinkedHashSet<>();
        JsonNode content = create.content();
        String version = roomVersion(create);
        JsonNode creator = content.get("creator");
        if (implicitCreator(version)) {
            if (create.sender() != null) {
                out.add(create.sender());
            }
        } else if (creator != null && creator.isTextual()) {
            out.add(creator.textValue());
        }
        JsonNode additional = content.get("additional_creators");
        if (privilegedCreators(create) && additional != null && additional.isArray()) {
            additional.forEach(a -> {
                if (a.isTextual()) {
                    out.add(a.textValue());
                }
            });
        }
        return out;
    }

    static String roomVersion(Piece create) {
        JsonNode v = create.content().get("room_version");
        return v != null && v.isTextual() ? v.textValue() : "1";
    }

    private static int versionNumber(String version) {
        try {
            return Integer.parseInt(version);
        } catch (NumberFormatException e) {
            return 0; // unstable versions: treated as old
        }
    }

    private static boolean implicitCreator(String version) {
        return versionNumber(version) >= 11;
    }

    static boolean privilegedCreators(Piece create) {
        return versionNumber(roomVersion(create)) >= 12;
    }

    // ---- what pushes show (Synapse's push_tools.get_context_for_event and presentable_names.calculate_room_name)

    /** The sender's display name (or user id) when the room has a member event of theirs. */
    public String senderDisplayName(String sender) {
        Member m = members.get(sender);
        return m == null ? null : m.name();
    }

    /** The canonical alias, when it looks like an alias. */
    public String canonicalAlias() {
        Piece alias = pieces.get(CANONICAL_ALIAS);
        JsonNode a = alias == null ? null : alias.content().get("alias");
        return a != null && a.isTextual() && ALIAS.matcher(a.textValue()).matches() ? a.textValue() : null;
    }

    /**
     * The name of the room as Synapse puts it into pushes for {@code userId} ({@code calculate_room_name} with
     * {@code fallback_to_single_member=False}): {@code m.room.name}, else the canonical alias, else one made of the
     * other members ("Alice and Bob", "Alice and 198 others"); null where Synapse sends none (a room with one other
     * member, an invite from someone in the room).
     */
    public String roomName(String userId) {
        Piece name = pieces.get(NAME);
        JsonNode n = name == null ? null : name.content().get("name");
        if (n != null && n.isTextual() && !n.textValue().isEmpty()) {
            return n.textValue();
        }
        String alias = canonicalAlias();
        if (alias != null) {
            return alias;
        }
        Member me = members.get(userId);
        if (me != null && INVITE.equals(me.membership())) {
            return me.sender() != null && members.containsKey(me.sender()) ? null : "Room Invite";
        }
        List<Member> all = byTime();
        boolean meAmong = me != null && me.joinedOrInvited();
        int others = all.size() - (meAmong ? 1 : 0);
        if (others == 0) {
            if (all.size() == 1) {
                Member only = all.get(0);
                return userId.equals(only.sender()) ? "Empty Room" : only.name();
            }
            return "Empty Room";
        }
        if (others == 1) {
            return null;
        }
        Member first = null;
        Member second = null;
        for (Member m : all) {
            if (m.userId().equals(userId)) {
                continue;
            }
            if (first == null) {
                first = m;
            } else {
                second = m;
                break;
            }
        }
        return others == 2 ? first.name() + " and " + second.name() : first.name() + " and " + (others - 1) + " others";
    }

    private List<Member> byTime() {
        if (byTime == null) {
            List<Member> list = new ArrayList<>();
            for (Member m : members.values()) {
                if (m.joinedOrInvited()) {
                    list.add(m);
                }
            }
            list.sort(Comparator.comparingLong(Member::ts).thenComparingLong(Member::pos));
            byTime = list;
        }
        return byTime;
    }

    /** The state as the admin API shows it. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("room_id", roomId);
        Piece create = pieces.get(CREATE);
        if (create != null) {
            o.put("room_version", roomVersion(create));
            o.putPOJO("creators", creators(create));
        }
        Piece name = pieces.get(NAME);
        if (name != null && name.content().hasNonNull("name")) {
            o.set("name", name.content().get("name"));
        }
        if (canonicalAlias() != null) {
            o.put("canonical_alias", canonicalAlias());
        }
        Piece pl = pieces.get(POWER_LEVELS);
        if (pl != null) {
            o.set("power_levels", pl.content());
        }
        o.put("joined_members", joined);
        var arr = o.putArray("members");
        members.values().stream().sorted(Comparator.comparing(Member::userId)).forEach(m -> {
            ObjectNode mo = arr.addObject();
            mo.put("user_id", m.userId());
            mo.put("membership", m.membership());
            if (m.displayName() != null) {
                mo.put("display_name", m.displayName());
            }
        });
        return o;
    }
}

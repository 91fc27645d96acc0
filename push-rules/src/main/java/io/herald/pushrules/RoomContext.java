package io.herald.pushrules;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the rules need to know about the room: the number of <em>joined</em> members ({@code room_member_count})
 * and the current {@code m.room.power_levels} content ({@code sender_notification_permission}). Immutable; build
 * one per room and event, and share it across the members.
 *
 * <p>Power levels: a user's level is {@code users[user]} if present, else {@code users_default} (default 0); the
 * level required for a notification key is {@code notifications[key]}, default 50 for every key (the spec's
 * {@code room} default; Synapse's and matrix-js-sdk's choice for other keys). Integer-valued strings and floats
 * (pre-v10 rooms) are read as integers. Without a power-levels event, room creators (see
 * {@link #withCreators}) have 100 and everyone else 0. With {@code privilegedCreators} (room versions 12+) the
 * creators always pass.
 */
public final class RoomContext {

    /** The default required level of every {@code notifications} key. */
    public static final long DEFAULT_NOTIFICATION_LEVEL = 50;

    private final long joinedMemberCount;
    private final boolean hasPowerLevels;
    private final Map<String, Long> users;
    private final long usersDefault;
    private final Map<String, Long> notifications;
    private final Set<String> creators;
    private final boolean privilegedCreators;

    private RoomContext(long joinedMemberCount, boolean hasPowerLevels, Map<String, Long> users, long usersDefault,
                        Map<String, Long> notifications, Set<String> creators, boolean privilegedCreators) {
        this.joinedMemberCount = joinedMemberCount;
        this.hasPowerLevels = hasPowerLevels;
        this.users = users;
        this.usersDefault = usersDefault;
        this.notifications = notifications;
        this.creators = creators;
        this.privilegedCreators = privilegedCreators;
    }

    /**
     * @param joinedMemberCount   number of joined members
     * @param powerLevelsContent  content of the room's {@code m.room.power_levels}, or {@code null} if none
     */
    public static RoomContext of(long joinedMemberCount, JsonNode powerLevelsContent) {
        if (joinedMemberCount < 0) {
            throw new IllegalArgumentException("joinedMemberCount must be >= 0");
        }
        if (powerLevelsContent == null || powerLevelsContent.isNull() || powerLevelsContent.isMissingNode()) {
            return new RoomContext(joinedMemberCount, false, Map.of(), 0, Map.of(), Set.of(), false);
        }
        if (!powerLevelsContent.isObject()) {
            throw new IllegalArgumentException("power_levels must be a JSON object or null");
        }
        Map<String, Long> users = levels(powerLevelsContent.get("users"));
        Long ud = level(powerLevelsContent.get("users_default"));
        Map<String, Long> notifications = levels(powerLevelsContent.get("notifications"));
        return new RoomContext(joinedMemberCount, true, users, ud == null ? 0 : ud, notifications, Set.of(), false);
    }

    /** A room with no power-levels event. */
    public static RoomContext of(long joinedMemberCount) {
        return of(joinedMemberCount, null);
    }

    /**
     * A copy that knows the room's creators: they have level 100 when there is no power-levels event, and with
     * {@code privileged} (room versions 12+) they always pass {@code sender_notification_permission}.
     */
    public RoomContext withCreators(Set<String> creators, boolean privileged) {
        return new RoomContext(joinedMemberCount, hasPowerLevels, users, usersDefault, notifications,
                Set.copyOf(Objects.requireNonNull(creators, "creators")), privileged);
    }

    private static Map<String, Long> levels(JsonNode node) {
        if (node == null || !node.isObject() || node.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> m = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            Long l = level(e.getValue());
            if (l != null) {
                m.put(e.getKey(), l);
            }
        }
        return Map.copyOf(m);
    }

    /** A power level: an integer, a float (truncated) or an integer-valued string; else {@code null}. */
    static Long level(JsonNode n) {
        if (n == null) {
            return null;
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? n.longValue() : (n.bigIntegerValue().signum() > 0 ? Long.MAX_VALUE
                    : Long.MIN_VALUE);
        }
        if (n.isNumber()) {
            double d = n.doubleValue();
            return Double.isFinite(d) ? (long) d : null;
        }
        if (n.isTextual()) {
            try {
                return Long.parseLong(n.textValue().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    public long joinedMemberCount() {
        return joinedMemberCount;
    }

    public boolean hasPowerLevels() {
        return hasPowerLevels;
    }

    /** The power level of a user in this room. */
    public long userLevel(String userId) {
        if (userId != null && creators.contains(userId)) {
            if (privilegedCreators) {
                return Long.MAX_VALUE;
            }
            if (!hasPowerLevels) {
                return 100;
            }
        }
        if (!hasPowerLevels) {
            return 0;
        }
        Long l = userId == null ? null : users.get(userId);
        return l == null ? usersDefault : l;
    }

    /** The level required to trigger the notification {@code key} ({@code notifications[key]}, default 50). */
    public long notificationLevel(String key) {
        Long l = notifications.get(key);
        return l == null ? DEFAULT_NOTIFICATION_LEVEL : l;
    }

    /** {@code sender_notification_permission}: whether {@code sender} may trigger notification {@code key}. */
    public boolean senderMayNotify(String sender, String key) {
        if (sender == null || key == null) {
            return false;
        }
        return userLevel(sender) >= notificationLevel(key);
    }
}

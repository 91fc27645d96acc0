package io.herald.pushrules.conditions;

import io.herald.pushrules.PushCondition;
import io.herald.pushrules.event.FlatValue;
import io.herald.pushrules.event.EventKey;
import io.herald.pushrules.glob.Glob;

/** Compiles model conditions into {@link Condition}s. */
public final class Conditions {

    private Conditions() {
    }

    /**
     * Compiles one condition. {@code userTemplated}: the condition's pattern/value is the user's own ID and is to be
     * matched against whichever recipient is evaluated (see {@code RuleSetCompiler}). Unknown kinds and invalid
     * parameters compile to {@link Never}.
     */
    public static Condition compile(PushCondition c, boolean userTemplated) {
        switch (c.kind()) {
            case PushCondition.EVENT_MATCH: {
                String key = c.key();
                String pattern = c.pattern();
                if (key == null || (pattern == null && !userTemplated)) {
                    return Never.INSTANCE;
                }
                EventKey canonical = EventKey.of(key);
                boolean words = EventKey.BODY.equals(canonical);
                if (userTemplated) {
                    return new UserEventMatch(canonical, words, UserEventMatch.Source.USER_ID);
                }
                return new EventMatch(canonical, Glob.compile(pattern), words);
            }
            case PushCondition.EVENT_PROPERTY_IS:
            case PushCondition.EVENT_PROPERTY_CONTAINS: {
                String key = c.key();
                if (key == null) {
                    return Never.INSTANCE;
                }
                EventKey canonical = EventKey.of(key);
                boolean is = PushCondition.EVENT_PROPERTY_IS.equals(c.kind());
                if (userTemplated) {
                    return is ? new UserPropertyIs(canonical) : new UserPropertyContains(canonical);
                }
                if (!c.hasValue()) {
                    return Never.INSTANCE;
                }
                FlatValue value = FlatValue.conditionValue(c.value());
                if (value == null) {
                    return Never.INSTANCE;
                }
                return is ? new PropertyIs(canonical, value) : new PropertyContains(canonical, value);
            }
            case PushCondition.CONTAINS_DISPLAY_NAME:
                return ContainsDisplayName.INSTANCE;
            case PushCondition.ROOM_MEMBER_COUNT:
                return RoomMemberCount.parse(c.is());
            case PushCondition.SENDER_NOTIFICATION_PERMISSION: {
                String key = c.key();
                return key == null ? Never.INSTANCE : new SenderNotificationPermission(key);
            }
            default:
                return Never.INSTANCE;
        }
    }

    /**
     * A content rule: its pattern in word mode on {@code content.body}; {@code localpartTemplated}: the pattern is
     * the user's localpart. A missing pattern never matches.
     */
    public static Condition contentRule(String pattern, boolean localpartTemplated) {
        if (localpartTemplated) {
            return new UserEventMatch(EventKey.BODY, true, UserEventMatch.Source.LOCALPART);
        }
        if (pattern == null) {
            return Never.INSTANCE;
        }
        return new EventMatch(EventKey.BODY, Glob.compile(pattern), true);
    }

    /** A room rule ({@code room_id} equals the rule ID). */
    public static Condition roomRule(String roomId) {
        return new StringEquals(EventKey.ROOM_ID, roomId);
    }

    /** A sender rule ({@code sender} equals the rule ID). */
    public static Condition senderRule(String userId) {
        return new StringEquals(EventKey.SENDER, userId);
    }
}

package io.herald.pushrules.conditions;

import io.herald.pushrules.PushEvent;
import io.herald.pushrules.Recipient;
import io.herald.pushrules.RoomContext;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code room_member_count}: {@code is} = optional {@code ==,<,>,<=,>=} then a decimal integer (no prefix: ==). */
public final class RoomMemberCount extends Condition {

    private static final Pattern IS = Pattern.compile("^(==|<|>|<=|>=)?([0-9]+)$");

    /** Comparison operator. */
    public enum Op { EQ, LT, GT, LE, GE }

    private final Op op;
    private final long number;

    public RoomMemberCount(Op op, long number) {
        this.op = op;
        this.number = number;
    }

    /** Parses {@code is}; returns {@link Never} when it is invalid. */
    public static Condition parse(String is) {
        if (is == null) {
            return Never.INSTANCE;
        }
        Matcher m = IS.matcher(is);
        if (!m.matches()) {
            return Never.INSTANCE;
        }
        long n;
        try {
            n = Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            n = Long.MAX_VALUE; // more digits than any room can have members
        }
        String p = m.group(1);
        Op op = p == null || p.equals("==") ? Op.EQ
                : p.equals("<") ? Op.LT : p.equals(">") ? Op.GT : p.equals("<=") ? Op.LE : Op.GE;
        return new RoomMemberCount(op, n);
    }

    /** Whether {@code is} is a valid room_member_count operand. */
    public static boolean isValid(String is) {
        return is != null && IS.matcher(is).matches();
    }

    @Override
    public boolean matches(PushEvent event, RoomContext room, Recipient recipient) {
        long c = room.joinedMemberCount();
        switch (op) {
            case EQ:
                return c == number;
            case LT:
                return c < number;
            case GT:
                return c > number;
            case LE:
                return c <= number;
            default:
                return c >= number;
        }
    }
}

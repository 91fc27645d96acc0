package io.herald.pushrules.conditions;

import io.herald.pushrules.PushEvent;
import io.herald.pushrules.Recipient;
import io.herald.pushrules.RoomContext;

/** An unknown condition kind, or a known one with missing/invalid parameters: never matches. */
public final class Never extends Condition {
    public static final Never INSTANCE = new Never();

    private Never() {
    }

    @Override
    public boolean matches(PushEvent event, RoomContext room, Recipient recipient) {
        return false;
    }

    @Override
    public boolean isNever() {
        return true;
    }
}

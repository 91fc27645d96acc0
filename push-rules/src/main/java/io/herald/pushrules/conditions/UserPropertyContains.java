package io.herald.pushrules.conditions;

import io.herald.pushrules.PushEvent;
import io.herald.pushrules.Recipient;
import io.herald.pushrules.RoomContext;
import io.herald.pushrules.event.EventKey;
import io.herald.pushrules.event.FlatValue;

/** {@code event_property_contains} whose value is the recipient's user ID ({@code .m.rule.is_user_mention}). */
public final class UserPropertyContains extends Condition {
    private final EventKey key;

    public UserPropertyContains(EventKey key) {
        this.key = key;
    }

    @Override
    public boolean matches(PushEvent event, RoomContext room, Recipient recipient) {
        FlatValue v = event.get(key);
        return v != null && v.arrayContainsString(recipient.userId());
    }

    @Override
    public boolean userDependent() {
        return true;
    }

    @Override
    public boolean possibleFor(PushEvent event, RoomContext room) {
        FlatValue v = event.get(key);
        return v != null && v.arrayHasString();
    }
}

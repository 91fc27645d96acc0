package io.herald.pushrules.conditions;

import io.herald.pushrules.PushEvent;
import io.herald.pushrules.Recipient;
import io.herald.pushrules.RoomContext;
import io.herald.pushrules.event.EventKey;
import io.herald.pushrules.event.FlatValue;

/** Exact string equality: room rules ({@code room_id} = rule ID) and sender rules ({@code sender} = rule ID). */
public final class StringEquals extends Condition {
    private final EventKey key;
    private final String value;

    public StringEquals(EventKey key, String value) {
        this.key = key;
        this.value = value;
    }

    @Override
    public boolean matches(PushEvent event, RoomContext room, Recipient recipient) {
        FlatValue v = event.get(key);
        return v != null && value.equals(v.string());
    }
}

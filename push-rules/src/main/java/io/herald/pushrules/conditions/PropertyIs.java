package io.herald.pushrules.conditions;

import io.herald.pushrules.PushEvent;
import io.herald.pushrules.Recipient;
import io.herald.pushrules.RoomContext;
import io.herald.pushrules.event.EventKey;
import io.herald.pushrules.event.FlatValue;

/** {@code event_property_is}: exact, type-strict equality with a non-compound canonical JSON value. */
public final class PropertyIs extends Condition {
    private final EventKey key;
    private final FlatValue value;

    public PropertyIs(EventKey key, FlatValue value) {
        this.key = key;
        this.value = value;
    }

    @Override
    public boolean matches(PushEvent event, RoomContext room, Recipient recipient) {
        FlatValue v = event.get(key);
        return v != null && v.sameScalar(value);
    }
}

package io.herald.pushrules.conditions;

import io.herald.pushrules.PushEvent;
import io.herald.pushrules.Recipient;
import io.herald.pushrules.RoomContext;
import io.herald.pushrules.event.EventKey;
import io.herald.pushrules.event.FlatValue;

/** {@code event_property_contains}: the property is an array with an element exactly equal to the value. */
public final class PropertyContains extends Condition {
    private final EventKey key;
    private final FlatValue value;

    public PropertyContains(EventKey key, FlatValue value) {
        this.key = key;
        this.value = value;
    }

    @Override
    public boolean matches(PushEvent event, RoomContext room, Recipient recipient) {
        FlatValue v = event.get(key);
        return v != null && v.arrayContains(value);
    }
}

package io.herald.pushrules.conditions;

import io.herald.pushrules.PushEvent;
import io.herald.pushrules.Recipient;
import io.herald.pushrules.RoomContext;

/**
 * A compiled push condition (internal to the engine; build them with {@link Conditions#compile}).
 *
 * <p>Conditions are either <em>static</em> (the result depends on the event and room only) or
 * <em>user-dependent</em> (also on the recipient: their ID, localpart or display name). Fan-out evaluates the
 * static ones once per event and ruleset and only the user-dependent ones per member.
 */
public abstract class Condition {

    /** Whether this condition holds for the event in the room for the recipient. */
    public abstract boolean matches(PushEvent event, RoomContext room, Recipient recipient);

    /** Whether the result can depend on the recipient. */
    public boolean userDependent() {
        return false;
    }

    /**
     * For user-dependent conditions: {@code false} when no recipient at all can satisfy this condition for this
     * event (e.g. the property is absent), so fan-out can skip it without looking at members.
     */
    public boolean possibleFor(PushEvent event, RoomContext room) {
        return true;
    }

    /** Whether this condition can never match (unknown kind or invalid parameters). */
    public boolean isNever() {
        return false;
    }
}

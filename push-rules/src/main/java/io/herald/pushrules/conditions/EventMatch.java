package io.herald.pushrules.conditions;

import io.herald.pushrules.PushEvent;
import io.herald.pushrules.Recipient;
import io.herald.pushrules.RoomContext;
import io.herald.pushrules.event.EventKey;
import io.herald.pushrules.event.FlatValue;
import io.herald.pushrules.glob.Glob;

/** {@code event_match} with a glob compiled once; word mode for {@code content.body}. */
public final class EventMatch extends Condition {
    private final EventKey key;
    private final Glob glob;
    private final boolean words;

    public EventMatch(EventKey key, Glob glob, boolean words) {
        this.key = key;
        this.glob = glob;
        this.words = words;
    }

    @Override
    public boolean matches(PushEvent event, RoomContext room, Recipient recipient) {
        FlatValue v = event.get(key);
        if (v == null || !v.isString()) {
            return false;
        }
        String lowered = v.lowered();
        if (!words) {
            return glob.matchesWhole(lowered);
        }
        return glob.matchesWords(lowered, glob.usesWordTokens() ? v.wordTokensIfWorthIt() : null);
    }
}

package io.herald.pushrules.conditions;

import io.herald.pushrules.PushEvent;
import io.herald.pushrules.Recipient;
import io.herald.pushrules.RoomContext;
import io.herald.pushrules.event.EventKey;
import io.herald.pushrules.event.FlatValue;
import io.herald.pushrules.glob.Glob;

/**
 * {@code event_match} whose pattern is the recipient's user ID or localpart (server defaults such as
 * {@code .m.rule.invite_for_me} and {@code .m.rule.contains_user_name}), so that one compiled ruleset serves every
 * user who kept the defaults.
 */
public final class UserEventMatch extends Condition {

    /** Which user value is the pattern. */
    public enum Source { USER_ID, LOCALPART }

    private final EventKey key;
    private final boolean words;
    private final Source source;

    public UserEventMatch(EventKey key, boolean words, Source source) {
        this.key = key;
        this.words = words;
        this.source = source;
    }

    @Override
    public boolean matches(PushEvent event, RoomContext room, Recipient recipient) {
        FlatValue v = event.get(key);
        if (v == null || !v.isString()) {
            return false;
        }
        Glob glob = source == Source.USER_ID ? recipient.userIdGlob() : recipient.localpartGlob();
        String lowered = v.lowered();
        if (!words) {
            return glob.matchesWhole(lowered);
        }
        return glob.matchesWords(lowered, glob.usesWordTokens() ? v.wordTokensIfWorthIt() : null);
    }

    @Override
    public boolean userDependent() {
        return true;
    }

    @Override
    public boolean possibleFor(PushEvent event, RoomContext room) {
        FlatValue v = event.get(key);
        return v != null && v.isString();
    }
}

package io.herald.pushrules.conditions;

import io.herald.pushrules.PushEvent;
import io.herald.pushrules.Recipient;
import io.herald.pushrules.RoomContext;
import io.herald.pushrules.event.EventKey;
import io.herald.pushrules.event.FlatValue;
import io.herald.pushrules.glob.Glob;

/**
 * {@code contains_display_name} (deprecated in v1.17): {@code content.body} contains the recipient's display name,
 * case-insensitively and as whole words (the same matching as an {@code event_match} on {@code content.body} with
 * the display name as pattern, as Synapse and ruma do). No or empty display name, or no string body: no match.
 */
public final class ContainsDisplayName extends Condition {
    public static final ContainsDisplayName INSTANCE = new ContainsDisplayName();

    private ContainsDisplayName() {
    }

    @Override
    public boolean matches(PushEvent event, RoomContext room, Recipient recipient) {
        Glob dn = recipient.displayNameGlob();
        if (dn == null) {
            return false;
        }
        FlatValue body = event.get(EventKey.BODY);
        if (body == null || !body.isString()) {
            return false;
        }
        return dn.matchesWords(body.lowered(), dn.usesWordTokens() ? body.wordTokensIfWorthIt() : null);
    }

    @Override
    public boolean userDependent() {
        return true;
    }

    @Override
    public boolean possibleFor(PushEvent event, RoomContext room) {
        FlatValue body = event.get(EventKey.BODY);
        return body != null && body.isString();
    }
}

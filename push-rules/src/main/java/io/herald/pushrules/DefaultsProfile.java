package io.herald.pushrules;

import java.util.Locale;

/** Which server-default rules to use. */
public enum DefaultsProfile {
    /** The predefined rules of the current spec (v1.17+). */
    SPEC,
    /** {@link #SPEC} plus the three v1.16 mention rules ({@code .m.rule.contains_display_name},
     * {@code .m.rule.roomnotif}, {@code .m.rule.contains_user_name}) at their v1.16 positions. */
    LEGACY,
    /**
     * Exactly what Synapse serves by default (1.160, {@code msc4210_enabled: false}): {@link #LEGACY}'s rules plus the
     * underride {@code .im.vector.jitsi}, with Synapse's explicit {@code {"set_tweak": "highlight", "value": false}}
     * and its order of actions and conditions, so that clients show the same settings as on a Synapse.
     */
    SYNAPSE;

    /** {@code "spec"}, {@code "legacy"} or {@code "synapse"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code "spec"} / {@code "legacy"} / {@code "synapse"}; anything else is an {@link IllegalArgumentException}. */
    public static DefaultsProfile fromWireName(String name) {
        for (DefaultsProfile p : values()) {
            if (p.wireName().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("defaults must be \"spec\", \"legacy\" or \"synapse\", got " + name);
    }
}

package io.herald.pushrules;

import java.util.Locale;

/** Which server-default rules to use. */
public enum DefaultsProfile {
    /** The predefined rules of the current spec (v1.17+). */
    SPEC,
    /** {@link #SPEC} plus the three v1.16 mention rules ({@code .m.rule.contains_display_name},
     * {@code .m.rule.roomnotif}, {@code .m.rule.contains_user_name}) at their v1.16 positions. */
    LEGACY;

    /** {@code "spec"} or {@code "legacy"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code "spec"} / {@code "legacy"}; anything else is an {@link IllegalArgumentException}. */
    public static DefaultsProfile fromWireName(String name) {
        for (DefaultsProfile p : values()) {
            if (p.wireName().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("defaults must be \"spec\" or \"legacy\", got " + name);
    }
}

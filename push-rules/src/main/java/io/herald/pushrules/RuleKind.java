package io.herald.pushrules;

import java.util.Locale;

/** The five push-rule kinds, declared in evaluation order. */
public enum RuleKind {
    OVERRIDE, CONTENT, ROOM, SENDER, UNDERRIDE;

    private final String wire = name().toLowerCase(Locale.ROOT);

    /** The Matrix name ({@code override}, {@code content}, ...). */
    public String wireName() {
        return wire;
    }

    /** The kind for a Matrix name, or {@code null} when unknown (e.g. unstable {@code postcontent}). */
    public static RuleKind fromWireName(String name) {
        if (name == null) {
            return null;
        }
        for (RuleKind k : values()) {
            if (k.wire.equals(name)) {
                return k;
            }
        }
        return null;
    }

    /** Whether rules of this kind carry {@code conditions} (override, underride). */
    public boolean hasConditions() {
        return this == OVERRIDE || this == UNDERRIDE;
    }

    @Override
    public String toString() {
        return wire;
    }
}

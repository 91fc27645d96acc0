package io.herald.pushrules.event;

import java.util.List;

/**
 * A dotted property path compiled once: its canonical form (the memo key) and its property names (for walking
 * the event). Immutable.
 */
public final class EventKey {

    /** {@code content.body}: matched with word-boundary semantics. */
    public static final EventKey BODY = of("content.body");
    public static final EventKey SENDER = of("sender");
    public static final EventKey ROOM_ID = of("room_id");

    private final String canonical;
    private final String[] names;

    private EventKey(String canonical, String[] names) {
        this.canonical = canonical;
        this.names = names;
    }

    /** Compiles a dotted path as written in a rule ({@code content.m\.relates_to.rel_type}). */
    public static EventKey of(String dottedPath) {
        List<String> parts = KeyPath.split(dottedPath);
        return new EventKey(KeyPath.canonical(dottedPath), parts.toArray(new String[0]));
    }

    /** The canonical dotted form (escapes normalised). */
    public String canonical() {
        return canonical;
    }

    /** Number of property names. */
    public int length() {
        return names.length;
    }

    /** The i-th property name (escapes resolved). */
    public String name(int i) {
        return names[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventKey && ((EventKey) o).canonical.equals(canonical);
    }

    @Override
    public int hashCode() {
        return canonical.hashCode();
    }

    @Override
    public String toString() {
        return canonical;
    }
}

package io.herald.ingest.notification;

import java.util.Locale;

/**
 * ntfy's five priorities, mapped to what Matrix users' push rules act on: {@link #MIN} and {@link #LOW} are
 * {@code m.notice} (silent under the default rules), {@link #DEFAULT} and {@link #HIGH} a normal message, {@link #URGENT}
 * a room mention ({@code m.mentions.room}) for keys that may mention the room. Push deliveries get the matching
 * {@code prio}: high for {@link #HIGH} and {@link #URGENT}, low for {@link #MIN} and {@link #LOW}.
 */
public enum Priority {
    MIN, LOW, DEFAULT, HIGH, URGENT;

    /** What every spelling ntfy accepts means: 1-5, the names, and {@code max} for urgent. */
    public static Priority parse(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "1", "min" -> MIN;
            case "2", "low" -> LOW;
            case "3", "default" -> DEFAULT;
            case "4", "high" -> HIGH;
            case "5", "urgent", "max" -> URGENT;
            default -> throw new IllegalArgumentException("must be 1-5 or min, low, default, high, urgent");
        };
    }

    public boolean silent() {
        return this == MIN || this == LOW;
    }

    /** The name on the notification record ({@code NotificationEvent.priority}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

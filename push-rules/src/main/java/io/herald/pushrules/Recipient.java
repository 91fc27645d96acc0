package io.herald.pushrules;

import io.herald.pushrules.defaults.ServerDefaults;
import io.herald.pushrules.glob.Glob;
import java.util.Objects;

/**
 * The user an event is evaluated for: Matrix user ID and current display name in the room ({@code null} if none).
 * Matchers derived from them (user ID, localpart, display name as word globs) are compiled on first use and kept,
 * so keep a Recipient per member when fanning out repeatedly. Thread-safe.
 */
public final class Recipient {

    private final String userId;
    private final String displayName;
    private final String localpart;
    private final int userIdHash;
    private Glob userIdGlob;
    private Glob localpartGlob;
    private Glob displayNameGlob;

    private Recipient(String userId, String displayName) {
        this.userId = Objects.requireNonNull(userId, "userId");
        this.displayName = displayName;
        this.localpart = ServerDefaults.localpart(userId);
        this.userIdHash = userId.hashCode();
    }

    public static Recipient of(String userId, String displayName) {
        return new Recipient(userId, displayName);
    }

    public static Recipient of(String userId) {
        return new Recipient(userId, null);
    }

    public String userId() {
        return userId;
    }

    /** The display name, or {@code null}. */
    public String displayName() {
        return displayName;
    }

    public String localpart() {
        return localpart;
    }

    /** Whether {@code otherUserId} is this user (hash compared first: cheap for fan-out's own-event check). */
    public boolean is(String otherUserId) {
        return otherUserId != null && otherUserId.hashCode() == userIdHash && otherUserId.equals(userId);
    }

    /** The user ID as a glob (rule patterns that were the user's own ID are matched with this). */
    public Glob userIdGlob() {
        Glob g = userIdGlob;
        if (g == null) {
            g = Glob.compile(userId);
            userIdGlob = g;
        }
        return g;
    }

    /** The localpart as a glob ({@code .m.rule.contains_user_name}). */
    public Glob localpartGlob() {
        Glob g = localpartGlob;
        if (g == null) {
            g = Glob.compile(localpart);
            localpartGlob = g;
        }
        return g;
    }

    /** The display name as a word glob, or {@code null} when absent or empty (then it never matches). */
    public Glob displayNameGlob() {
        if (displayName == null || displayName.isEmpty()) {
            return null;
        }
        Glob g = displayNameGlob;
        if (g == null) {
            g = Glob.compile(displayName);
            displayNameGlob = g;
        }
        return g;
    }

    @Override
    public String toString() {
        return "Recipient[" + userId + (displayName == null ? "" : ", " + displayName) + "]";
    }
}

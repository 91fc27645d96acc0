package io.herald.rules.counts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Objects;

/**
 * The badge last pushed to each user, in memory (as Synapse's pusher keeps {@code badge_count_last_call}): a read
 * receipt sends a badge update only when the badge is not what the user's devices last got (or when this instance
 * does not know what they got).
 */
@ApplicationScoped
public class Badges {

    private final Cache<String, Integer> last = Caffeine.newBuilder().maximumSize(200_000).build();

    /** A push with this badge is going out. */
    public void sent(String userId, int unread) {
        last.put(userId, unread);
    }

    /** Whether a badge update is due; if so it is taken as sent. */
    public boolean changed(String userId, int unread) {
        Integer before = last.getIfPresent(userId);
        if (Objects.equals(before, unread)) {
            return false;
        }
        last.put(userId, unread);
        return true;
    }
}

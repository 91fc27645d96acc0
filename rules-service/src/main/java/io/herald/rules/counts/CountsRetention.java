package io.herald.rules.counts;

import io.herald.rules.RulesConfig;
import io.herald.rules.evaluation.Evaluations;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Prunes push actions, indexed events and the notifications' evaluations older than
 * {@code herald.rules.events.retention}, a batch per statement, so pruning never holds long locks. The unread counts
 * stay; a receipt after the pruning counts what is left.
 */
@ApplicationScoped
public class CountsRetention {

    private static final Logger LOG = Logger.getLogger(CountsRetention.class);
    private static final int BATCH = 5000;

    private final Counts counts;
    private final Evaluations evaluations;
    private final Duration retention;

    CountsRetention(Counts counts, Evaluations evaluations, RulesConfig config) {
        this.counts = counts;
        this.evaluations = evaluations;
        this.retention = config.events().retention();
    }

    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void prune() {
        Instant before = Instant.now().minus(retention);
        try {
            int deleted;
            int total = 0;
            do {
                deleted = counts.prune(before, BATCH) + evaluations.prune(before, BATCH);
                total += deleted;
            } while (deleted > 0);
            if (total > 0) {
                LOG.infof("pruned %d push actions, indexed events and evaluations older than %s", total, retention);
            }
        } catch (RuntimeException e) {
            LOG.warnf("pruning push actions failed (tried again in 10 minutes): %s", e.getMessage());
        }
    }
}

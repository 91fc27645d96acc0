package io.herald.dispatcher.storage;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Whether PostgreSQL or Kafka is out right now, as the retry loops that wait them out see it. The watchdog does not
 * report deliveries as stuck while one is: they wait for it on purpose, and restarting would not help.
 */
@ApplicationScoped
public class Outages {

    private static final Logger LOG = Logger.getLogger(Outages.class);

    private final AtomicReference<Instant> databaseSince = new AtomicReference<>();
    private final AtomicReference<Instant> brokerSince = new AtomicReference<>();

    public void database(Throwable failure) {
        if (databaseSince.compareAndSet(null, Instant.now())) {
            LOG.warnf("PostgreSQL unavailable, waiting it out: %s", SqlErrors.message(failure));
        }
    }

    public void databaseAnswered() {
        Instant since = databaseSince.getAndSet(null);
        if (since != null) {
            LOG.infof("PostgreSQL answers again (out since %s)", since);
        }
    }

    public void broker(Throwable failure) {
        if (brokerSince.compareAndSet(null, Instant.now())) {
            LOG.warnf("Kafka unavailable, waiting it out: %s", failure.getMessage());
        }
    }

    public void brokerAnswered() {
        Instant since = brokerSince.getAndSet(null);
        if (since != null) {
            LOG.infof("Kafka answers again (out since %s)", since);
        }
    }

    /** True while a dependency is known to be out. */
    public boolean any() {
        return databaseSince.get() != null || brokerSince.get() != null;
    }
}

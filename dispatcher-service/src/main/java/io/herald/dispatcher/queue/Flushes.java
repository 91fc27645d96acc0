package io.herald.dispatcher.queue;

import io.herald.common.changes.ChangeEvent;
import io.herald.common.changes.ChangeFeed;
import io.herald.dispatcher.delivery.Lanes;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Flushing a room's queue: the lanes of its parked destinations stop waiting out their backoff. A lane lives on the
 * instance that owns its partition, so the instance that is asked flushes its own and announces the flush on
 * {@code herald.changes} (kind {@code queue-flush}) for the others.
 */
@ApplicationScoped
class Flushes {

    private static final Logger LOG = Logger.getLogger(Flushes.class);

    private final QueueStore store;
    private final Lanes lanes;

    Flushes(QueueStore store, Lanes lanes) {
        this.store = store;
        this.lanes = lanes;
    }

    void listen(@Observes StartupEvent event, ChangeFeed changes) {
        changes.listen(e -> {
            if (e.kind() == ChangeEvent.Kind.QUEUE_FLUSH) {
                try {
                    flushHere(e.id());
                } catch (SQLException ex) {
                    LOG.warnf("flush of room %s: its parked destinations could not be read: %s", e.id(), ex.getMessage());
                }
            }
        });
    }

    /** Flushes this instance's lanes of the room's parked destinations; how many destinations the room has parked. */
    int flushHere(String room) throws SQLException {
        List<String> destinations = store.parkedDestinations(room);
        lanes.flush(destinations);
        return destinations.size();
    }
}

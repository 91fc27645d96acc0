package io.herald.dispatcher.queue;

import io.herald.common.Delivery;
import io.herald.common.changes.ChangeEvent;
import io.herald.common.changes.ChangeFeed;
import io.herald.dispatcher.delivery.DeliveryGate;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Purges of rooms' queues as fences ({@code dispatcher.queue_purge}): a delivery of room R (and tenant T) whose
 * notification was accepted before R's fence is purged, wherever it waits (not yet consumed, in memory, or parked), and
 * its lane settles it as {@code purged} right before it would have been sent ({@link DeliveryGate}). A purge is durable
 * first, then known here at once and on the other instances through {@code herald.changes} (kind
 * {@code queue-purge}), within a second; every instance also reads the fences again every 10 s, the safety net for a
 * change event that was lost. The check itself is a map lookup.
 */
@ApplicationScoped
public class PurgeFences implements DeliveryGate {

    private static final Logger LOG = Logger.getLogger(PurgeFences.class);
    /** Fences of every tenant of a room are kept under this tenant. */
    static final String EVERY_TENANT = "";

    private final DataSource dataSource;
    private final ChangeFeed changes;
    /** room → tenant ('' for every tenant) → purged before. Replaced as a whole, read without locks. */
    private volatile Map<String, Map<String, Instant>> fences = Map.of();

    PurgeFences(DataSource dataSource, ChangeFeed changes) {
        this.dataSource = dataSource;
        this.changes = changes;
    }

    void start(@Observes StartupEvent event) {
        changes.listen(e -> {
            if (e.kind() == ChangeEvent.Kind.QUEUE_PURGE) {
                reloadQuietly();
            }
        });
        reloadQuietly();
    }

    @Override
    public boolean purged(Delivery delivery) {
        Map<String, Map<String, Instant>> current = fences;
        if (current.isEmpty()) {
            return false;
        }
        Map<String, Instant> room = current.get(delivery.room());
        if (room == null) {
            return false;
        }
        Instant accepted = delivery.acceptedAt() != null ? delivery.acceptedAt() : delivery.createdAt();
        if (accepted == null) {
            return false;
        }
        return before(accepted, room.get(EVERY_TENANT))
                || delivery.tenant() != null && before(accepted, room.get(delivery.tenant()));
    }

    private static boolean before(Instant accepted, Instant fence) {
        return fence != null && accepted.isBefore(fence);
    }

    /** Purges the room's queue for a tenant (null: every tenant): durable, then in effect here and announced. */
    Instant purge(String room, String tenant) throws SQLException {
        Instant before;
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                INSERT INTO dispatcher.queue_purge AS q (room_key, tenant, purged_before) VALUES (?, ?, now())
                ON CONFLICT (room_key, tenant) DO UPDATE SET purged_before = GREATEST(q.purged_before, now()),
                    purged_at = now()
                RETURNING purged_before""")) {
            st.setString(1, room);
            st.setString(2, tenant == null ? EVERY_TENANT : tenant);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                before = rs.getTimestamp(1).toInstant();
            }
        }
        reload();
        changes.publish(ChangeEvent.Kind.QUEUE_PURGE, room);
        return before;
    }

    /** The fence of the room for the tenant (null: every tenant's), or null. */
    Instant fence(String room, String tenant) {
        Map<String, Instant> byTenant = fences.get(room);
        if (byTenant == null) {
            return null;
        }
        Instant all = byTenant.get(EVERY_TENANT);
        Instant own = tenant == null ? null : byTenant.get(tenant);
        return all == null ? own : own == null || all.isAfter(own) ? all : own;
    }

    @Scheduled(every = "10s", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reloadQuietly() {
        try {
            reload();
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("the queues' purge fences could not be read (kept as they were): %s", e.getMessage());
        }
    }

    private void reload() throws SQLException {
        Map<String, Map<String, Instant>> read = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT room_key, tenant, purged_before FROM dispatcher.queue_purge");
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                Timestamp before = rs.getTimestamp(3);
                read.computeIfAbsent(rs.getString(1), r -> new HashMap<>()).put(rs.getString(2), before.toInstant());
            }
        }
        merge(read);
    }

    /** Fences only move forward: a read that started before a purge's commit cannot take that purge back. */
    private synchronized void merge(Map<String, Map<String, Instant>> read) {
        Map<String, Map<String, Instant>> merged = new HashMap<>();
        fences.forEach((room, byTenant) -> merged.put(room, new HashMap<>(byTenant)));
        read.forEach((room, byTenant) -> byTenant.forEach((tenant, before) -> merged
                .computeIfAbsent(room, r -> new HashMap<>()).merge(tenant, before, (a, b) -> a.isAfter(b) ? a : b)));
        fences = merged;
    }
}

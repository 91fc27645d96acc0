package io.herald.dispatcher.queue;

import io.herald.dispatcher.delivery.DeliveryLogEntry;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What senders may see of the dispatcher's state, read with plain SQL (blocking): the delivery log and the parked
 * deliveries of a notification or of a room. A tenant of null means every tenant; a tenant sees only rows of its own.
 */
@ApplicationScoped
class QueueStore {

    private static final String TENANT = " AND (CAST(? AS text) IS NULL OR tenant = ?)";

    private final DataSource dataSource;

    QueueStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Every delivery of a notification: from the log, a parked one as it is in the parking lot. */
    List<DeliveryState> ofNotification(String notificationId, String tenant) throws SQLException {
        Map<String, DeliveryState> byId = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement st = c.prepareStatement("""
                    SELECT delivery_id, destination, state, history, last_status, last_error, matrix_event_id, updated_at,
                        room_key, tenant
                    FROM dispatcher.delivery_log WHERE notification_id = ?""" + TENANT + " ORDER BY created_at, delivery_id")) {
                bind(st, notificationId, tenant);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        byId.put(rs.getString(1), DeliveryState.of(rs.getString(1), notificationId, rs.getString(2),
                                rs.getString(3), rs.getString(4), (Integer) rs.getObject(5), rs.getString(6),
                                rs.getString(7), null, instant(rs.getTimestamp(8)), rs.getString(9), rs.getString(10)));
                    }
                }
            }
            try (PreparedStatement st = c.prepareStatement(PARKED + " WHERE notification_id = ?" + TENANT
                    + " ORDER BY seq")) {
                bind(st, notificationId, tenant);
                readParked(st, byId);
            }
        }
        return new ArrayList<>(byId.values());
    }

    /** The room's parked deliveries accepted at or after {@code fence} (null: all), oldest first. */
    List<DeliveryState> waiting(String room, String tenant, Instant fence, int limit) throws SQLException {
        Map<String, DeliveryState> byId = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(PARKED
                + " WHERE room_key = ?" + TENANT + " AND (CAST(? AS timestamptz) IS NULL OR accepted_at >= ?)"
                + " ORDER BY accepted_at, partition, seq LIMIT ?")) {
            bind(st, room, tenant);
            Timestamp at = fence == null ? null : Timestamp.from(fence);
            st.setTimestamp(4, at);
            st.setTimestamp(5, at);
            st.setInt(6, limit);
            readParked(st, byId);
        }
        return new ArrayList<>(byId.values());
    }

    /** How many of the room's deliveries are parked, accepted at or after {@code since} (null: all). */
    long countWaiting(String room, String tenant, Instant since, boolean before) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT count(*) FROM dispatcher.parked_delivery WHERE room_key = ?" + TENANT
                        + " AND (CAST(? AS timestamptz) IS NULL OR accepted_at " + (before ? "<" : ">=") + " ?)")) {
            bind(st, room, tenant);
            Timestamp at = since == null ? null : Timestamp.from(since);
            st.setTimestamp(4, at);
            st.setTimestamp(5, at);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The destinations with parked deliveries of the room. */
    List<String> parkedDestinations(String room) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT DISTINCT destination FROM dispatcher.parked_delivery WHERE room_key = ?")) {
            st.setString(1, room);
            List<String> destinations = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    destinations.add(rs.getString(1));
                }
            }
            return destinations;
        }
    }

    private static final String PARKED = """
            SELECT delivery_id, notification_id, destination, history, accepted_at, parked_at, room_key, tenant
            FROM dispatcher.parked_delivery""";

    private static void readParked(PreparedStatement st, Map<String, DeliveryState> byId) throws SQLException {
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                String history = rs.getString(4);
                String state = history == null || history.equals("[]") ? DeliveryState.PENDING : DeliveryState.RETRYING;
                DeliveryState logged = byId.get(rs.getString(1));
                byId.put(rs.getString(1), DeliveryState.of(rs.getString(1), rs.getString(2), rs.getString(3), state,
                        history, null, null, logged == null ? null : logged.matrixEventId(), instant(rs.getTimestamp(5)),
                        instant(rs.getTimestamp(6)), rs.getString(7), rs.getString(8)));
            }
        }
    }

    private static void bind(PreparedStatement st, String key, String tenant) throws SQLException {
        st.setString(1, key);
        st.setString(2, tenant);
        st.setString(3, tenant);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** The state of a notification from its deliveries (see README, "A queue you can see and steer"). */
    static String overall(List<DeliveryState> deliveries) {
        if (deliveries.isEmpty() || deliveries.stream().anyMatch(d -> d.state().equals(DeliveryState.PENDING))) {
            return DeliveryState.PENDING;
        }
        if (deliveries.stream().anyMatch(d -> d.state().equals(DeliveryState.RETRYING))) {
            return DeliveryState.RETRYING;
        }
        if (deliveries.stream().allMatch(d -> d.state().equals(DeliveryLogEntry.DELIVERED)
                || d.state().equals(DeliveryLogEntry.REJECTED))) {
            return DeliveryLogEntry.DELIVERED;
        }
        return deliveries.stream().anyMatch(d -> d.state().equals(DeliveryLogEntry.DEAD)) ? DeliveryLogEntry.DEAD
                : DeliveryLogEntry.PURGED;
    }
}

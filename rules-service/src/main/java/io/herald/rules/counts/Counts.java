package io.herald.rules.counts;

import io.herald.rules.db.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Unread counts the way Synapse keeps them ({@code event_push_actions}, {@code event_push_summary}, receipts): one
 * {@code push_action} row per event that notified a user, a running count per user and room ({@code unread}) that
 * grows with each and is recounted when a read receipt moves, and the badge a push carries (rooms with unread
 * notifications plus pending invites). Everything an event adds is written with one statement per table (arrays),
 * so a message into a room of 200 members costs a few statements, not 400.
 */
@ApplicationScoped
public class Counts {

    /** The main timeline's thread id (Synapse's {@code MAIN_TIMELINE}). */
    public static final String MAIN = "main";

    /** An event of a room at a position: indexed so receipts find it; {@code json} kept when it notified someone. */
    public record EventRow(String roomId, long pos, String eventId, String threadId, String json) {
    }

    /** Where an indexed event stands. */
    public record EventRef(long pos, String threadId) {
    }

    /** A user notified of an event. */
    public record Action(String userId, String roomId, long pos, String threadId, boolean highlight, boolean call,
            String actionsJson, long ts) {
    }

    /** A read receipt ({@code threadId} "" = unthreaded) at the position of the event it names. */
    public record Receipt(String userId, String roomId, String threadId, long pos, String eventId) {
    }

    /** What a push shows as {@code counts}. */
    public record Badge(int unread, int missedCalls) {
        public static final Badge NONE = new Badge(0, 0);
    }

    private final Sql sql;

    Counts(DataSource dataSource) {
        this.sql = new Sql(dataSource);
    }

    /** {@code n} new stream positions, ascending. */
    public long[] positions(int n) {
        long[] out = new long[n];
        if (n == 0) {
            return out;
        }
        List<Long> values = sql.query("SELECT nextval('rules.stream_pos_seq') FROM generate_series(1, ?)",
                ps -> ps.setInt(1, n), rs -> rs.getLong(1));
        for (int i = 0; i < n; i++) {
            out[i] = values.get(i);
        }
        java.util.Arrays.sort(out);
        return out;
    }

    /** The indexed events among these (room id, event id) pairs, keyed {@code room id + "\n" + event id}. */
    public Map<String, EventRef> find(List<String> roomIds, List<String> eventIds) {
        Map<String, EventRef> out = new HashMap<>();
        if (roomIds.isEmpty()) {
            return out;
        }
        sql.query("SELECT e.room_id, e.event_id, e.stream_pos, e.thread_id FROM rules.room_event e"
                + " JOIN unnest(?::varchar[], ?::varchar[]) AS w(room_id, event_id)"
                + " ON e.room_id = w.room_id AND e.event_id = w.event_id", ps -> {
                    ps.setArray(1, varchars(ps.getConnection(), roomIds));
                    ps.setArray(2, varchars(ps.getConnection(), eventIds));
                }, rs -> out.put(rs.getString(1) + "\n" + rs.getString(2), new EventRef(rs.getLong(3), rs.getString(4))));
        return out;
    }

    /**
     * Writes what a batch of events did, in the caller's transaction: the events' index, the push actions, the
     * unread counts they add, the receipts, and the counts of every user and room a receipt moved in (recounted).
     */
    public void write(Connection c, List<EventRow> events, List<Action> actions, List<Receipt> receipts)
            throws SQLException {
        if (!events.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO rules.room_event (room_id, stream_pos, event_id,"
                    + " thread_id, event) SELECT * FROM unnest(?::varchar[], ?::bigint[], ?::varchar[], ?::varchar[],"
                    + " ?::text[]) ON CONFLICT DO NOTHING")) {
                ps.setArray(1, varchars(c, events.stream().map(EventRow::roomId).toList()));
                ps.setArray(2, c.createArrayOf("bigint", events.stream().map(EventRow::pos).toArray()));
                ps.setArray(3, varchars(c, events.stream().map(EventRow::eventId).toList()));
                ps.setArray(4, varchars(c, events.stream().map(EventRow::threadId).toList()));
                ps.setArray(5, c.createArrayOf("text", events.stream().map(EventRow::json).toArray()));
                ps.executeUpdate();
            }
        }
        if (!actions.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO rules.push_action (user_id, room_id, stream_pos,"
                    + " thread_id, highlight, is_call, actions, ts) SELECT * FROM unnest(?::varchar[], ?::varchar[],"
                    + " ?::bigint[], ?::varchar[], ?::boolean[], ?::boolean[], ?::text[], ?::bigint[])"
                    + " ON CONFLICT DO NOTHING")) {
                ps.setArray(1, varchars(c, actions.stream().map(Action::userId).toList()));
                ps.setArray(2, varchars(c, actions.stream().map(Action::roomId).toList()));
                ps.setArray(3, c.createArrayOf("bigint", actions.stream().map(Action::pos).toArray()));
                ps.setArray(4, varchars(c, actions.stream().map(Action::threadId).toList()));
                ps.setArray(5, c.createArrayOf("boolean", actions.stream().map(Action::highlight).toArray()));
                ps.setArray(6, c.createArrayOf("boolean", actions.stream().map(Action::call).toArray()));
                ps.setArray(7, c.createArrayOf("text", actions.stream().map(Action::actionsJson).toArray()));
                ps.setArray(8, c.createArrayOf("bigint", actions.stream().map(Action::ts).toArray()));
                ps.executeUpdate();
            }
            addUnread(c, actions);
        }
        if (!receipts.isEmpty()) {
            moveReceipts(c, receipts);
        }
    }

    /** One row per user and room: how much the batch adds. */
    private static void addUnread(Connection c, List<Action> actions) throws SQLException {
        Map<String, int[]> sums = new LinkedHashMap<>();
        Map<String, Action> firsts = new HashMap<>();
        for (Action a : actions) {
            String key = a.userId() + "\n" + a.roomId();
            int[] s = sums.computeIfAbsent(key, k -> new int[3]);
            firsts.putIfAbsent(key, a);
            s[0]++;
            s[1] += a.highlight() ? 1 : 0;
            s[2] += a.call() ? 1 : 0;
        }
        List<String> users = new ArrayList<>(sums.size());
        List<String> rooms = new ArrayList<>(sums.size());
        Object[] notif = new Object[sums.size()];
        Object[] highlight = new Object[sums.size()];
        Object[] calls = new Object[sums.size()];
        int i = 0;
        for (Map.Entry<String, int[]> e : sums.entrySet()) {
            Action a = firsts.get(e.getKey());
            users.add(a.userId());
            rooms.add(a.roomId());
            notif[i] = e.getValue()[0];
            highlight[i] = e.getValue()[1];
            calls[i] = e.getValue()[2];
            i++;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO rules.unread (user_id, room_id, notif_count,"
                + " highlight_count, missed_calls) SELECT * FROM unnest(?::varchar[], ?::varchar[], ?::int[], ?::int[],"
                + " ?::int[]) ON CONFLICT (user_id, room_id) DO UPDATE SET"
                + " notif_count = unread.notif_count + EXCLUDED.notif_count,"
                + " highlight_count = unread.highlight_count + EXCLUDED.highlight_count,"
                + " missed_calls = unread.missed_calls + EXCLUDED.missed_calls")) {
            ps.setArray(1, varchars(c, users));
            ps.setArray(2, varchars(c, rooms));
            ps.setArray(3, c.createArrayOf("integer", notif));
            ps.setArray(4, c.createArrayOf("integer", highlight));
            ps.setArray(5, c.createArrayOf("integer", calls));
            ps.executeUpdate();
        }
    }

    /**
     * Receipts only move forward; then the counts of each user and room are what is left after them: push actions
     * later than the unthreaded receipt and than their own thread's receipt (as Synapse counts).
     */
    private static void moveReceipts(Connection c, List<Receipt> receipts) throws SQLException {
        Map<String, Receipt> newest = new LinkedHashMap<>();
        for (Receipt r : receipts) {
            newest.merge(r.userId() + "\n" + r.roomId() + "\n" + r.threadId(), r, (a, b) -> b.pos() > a.pos() ? b : a);
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO rules.receipt (user_id, room_id, thread_id,"
                + " stream_pos, event_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, room_id, thread_id) DO UPDATE SET"
                + " stream_pos = EXCLUDED.stream_pos, event_id = EXCLUDED.event_id"
                + " WHERE receipt.stream_pos < EXCLUDED.stream_pos")) {
            for (Receipt r : newest.values()) {
                ps.setString(1, r.userId());
                ps.setString(2, r.roomId());
                ps.setString(3, r.threadId());
                ps.setLong(4, r.pos());
                ps.setString(5, r.eventId());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        Map<String, Receipt> pairs = new LinkedHashMap<>();
        newest.values().forEach(r -> pairs.putIfAbsent(r.userId() + "\n" + r.roomId(), r));
        try (PreparedStatement ps = c.prepareStatement("UPDATE rules.unread u SET notif_count = n.notif,"
                + " highlight_count = n.highlight, missed_calls = n.calls FROM (SELECT count(*) AS notif,"
                + " count(*) FILTER (WHERE pa.highlight) AS highlight, count(*) FILTER (WHERE pa.is_call) AS calls"
                + " FROM rules.push_action pa WHERE pa.user_id = ? AND pa.room_id = ?"
                + " AND pa.stream_pos > COALESCE((SELECT r.stream_pos FROM rules.receipt r WHERE r.user_id = pa.user_id"
                + " AND r.room_id = pa.room_id AND r.thread_id = ''), 0)"
                + " AND pa.stream_pos > COALESCE((SELECT r.stream_pos FROM rules.receipt r WHERE r.user_id = pa.user_id"
                + " AND r.room_id = pa.room_id AND r.thread_id = pa.thread_id), 0)) n"
                + " WHERE u.user_id = ? AND u.room_id = ?")) {
            for (Receipt r : pairs.values()) {
                ps.setString(1, r.userId());
                ps.setString(2, r.roomId());
                ps.setString(3, r.userId());
                ps.setString(4, r.roomId());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Records one notifying event of a room that is not fed through herald.events (a Herald notification) and answers
     * the notified users' badges. The event is indexed under {@code key} (its notification id): planning it again
     * after a crash finds it there and counts nothing twice.
     */
    public Map<String, Badge> record(String roomId, String key, String eventJson, List<Action> notified) {
        io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> sql.withConnection(c -> {
            if (!find(List.of(roomId), List.of(key)).isEmpty()) {
                return null;
            }
            long pos = positions(1)[0];
            List<Action> actions = notified.stream().map(a -> new Action(a.userId(), roomId, pos, MAIN, a.highlight(),
                    a.call(), a.actionsJson(), a.ts())).toList();
            write(c, List.of(new EventRow(roomId, pos, key, MAIN, eventJson)), actions, List.of());
            return null;
        }));
        return badges(notified.stream().map(Action::userId).toList());
    }

    /**
     * Each user's badge (Synapse's {@code get_badge_count}, grouped by room): pending invites plus joined rooms with
     * unread notifications (rooms Herald has no membership of, its own rooms, count as joined); and the call invites
     * not read, across those rooms.
     */
    public Map<String, Badge> badges(Collection<String> userIds) {
        Map<String, Badge> out = new HashMap<>();
        if (userIds.isEmpty()) {
            return out;
        }
        List<String> users = List.copyOf(userIds);
        Map<String, int[]> sums = new HashMap<>();
        sql.withConnection(c -> {
            Sql.query(c, "SELECT u.user_id, count(*) FILTER (WHERE u.notif_count > 0),"
                    + " COALESCE(sum(u.missed_calls), 0) FROM rules.unread u LEFT JOIN rules.matrix_member m"
                    + " ON m.room_id = u.room_id AND m.user_id = u.user_id"
                    + " WHERE u.user_id = ANY(?) AND COALESCE(m.membership, 'join') = 'join' GROUP BY u.user_id",
                    ps -> ps.setArray(1, varchars(c, users)), rs -> {
                        int[] s = sums.computeIfAbsent(rs.getString(1), k -> new int[2]);
                        s[0] += rs.getInt(2);
                        s[1] += rs.getInt(3);
                        return null;
                    });
            Sql.query(c, "SELECT user_id, count(*) FROM rules.matrix_member WHERE user_id = ANY(?)"
                    + " AND membership = 'invite' GROUP BY user_id", ps -> ps.setArray(1, varchars(c, users)), rs -> {
                        sums.computeIfAbsent(rs.getString(1), k -> new int[2])[0] += rs.getInt(2);
                        return null;
                    });
            return null;
        });
        for (String u : users) {
            int[] s = sums.get(u);
            out.put(u, s == null ? Badge.NONE : new Badge(s[0], s[1]));
        }
        return out;
    }

    /** A user's notification as {@code GET /notifications} lists it. */
    public record Listed(String roomId, long pos, String actionsJson, long ts, String eventJson, boolean read) {
    }

    /** The user's notifying events before position {@code before}, newest first. */
    public List<Listed> notifications(String userId, long before, int limit, boolean onlyHighlight) {
        return sql.query("SELECT pa.room_id, pa.stream_pos, pa.actions, pa.ts, e.event,"
                + " pa.stream_pos <= GREATEST(COALESCE(r0.stream_pos, 0), COALESCE(rt.stream_pos, 0))"
                + " FROM rules.push_action pa JOIN rules.room_event e ON e.room_id = pa.room_id"
                + " AND e.stream_pos = pa.stream_pos"
                + " LEFT JOIN rules.receipt r0 ON r0.user_id = pa.user_id AND r0.room_id = pa.room_id AND r0.thread_id = ''"
                + " LEFT JOIN rules.receipt rt ON rt.user_id = pa.user_id AND rt.room_id = pa.room_id"
                + " AND rt.thread_id = pa.thread_id"
                + " WHERE pa.user_id = ? AND pa.stream_pos < ?" + (onlyHighlight ? " AND pa.highlight" : "")
                + " ORDER BY pa.stream_pos DESC LIMIT ?", ps -> {
                    ps.setString(1, userId);
                    ps.setLong(2, before);
                    ps.setInt(3, limit);
                }, rs -> new Listed(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getString(5),
                        rs.getBoolean(6)));
    }

    /** Deletes up to {@code batch} push actions and indexed events older than the retention; how many went. */
    public int prune(java.time.Instant before, int batch) {
        return sql.withConnection(c -> Sql.update(c, "DELETE FROM rules.push_action WHERE ctid IN (SELECT ctid FROM"
                + " rules.push_action WHERE ts < ? LIMIT ?)", ps -> {
                    ps.setLong(1, before.toEpochMilli());
                    ps.setInt(2, batch);
                }) + Sql.update(c, "DELETE FROM rules.room_event WHERE ctid IN (SELECT ctid FROM rules.room_event"
                + " WHERE received_at < ? LIMIT ?)", ps -> {
                    ps.setTimestamp(1, java.sql.Timestamp.from(before));
                    ps.setInt(2, batch);
                }));
    }

    private static Array varchars(Connection c, List<String> values) throws SQLException {
        return c.createArrayOf("varchar", values.toArray());
    }
}

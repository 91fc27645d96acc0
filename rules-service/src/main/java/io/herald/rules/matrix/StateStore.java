package io.herald.rules.matrix;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.rules.db.Sql;
import io.herald.rules.push.PushStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** The Matrix rooms' state in PostgreSQL ({@code matrix_member}, {@code matrix_room_state}; V5__matrix_rooms.sql). */
@ApplicationScoped
public class StateStore {

    private final Sql sql;

    StateStore(DataSource dataSource) {
        this.sql = new Sql(dataSource);
    }

    /** The stored state of these rooms (rooms Herald never saw a state event of come back empty). */
    public Map<String, RoomState> load(Collection<String> roomIds) {
        Map<String, RoomState> out = new HashMap<>();
        for (String id : roomIds) {
            out.put(id, new RoomState(id));
        }
        sql.query("SELECT room_id, user_id, membership, display_name, sender, event_id, origin_server_ts, stream_pos"
                + " FROM rules.matrix_member WHERE room_id = ANY(?)",
                Sql.varchars(roomIds), rs -> {
                    out.get(rs.getString(1)).load(new RoomState.Member(rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getLong(7), rs.getLong(8)));
                    return null;
                });
        sql.query("SELECT room_id, event_type, event_id, sender, origin_server_ts, stream_pos, content"
                + " FROM rules.matrix_room_state WHERE room_id = ANY(?)",
                Sql.varchars(roomIds), rs -> {
                    out.get(rs.getString(1)).load(new RoomState.Piece(rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getLong(5), rs.getLong(6), (ObjectNode) PushStore.readTree(rs.getString(7))));
                    return null;
                });
        maxPositions(roomIds).forEach((id, pos) -> out.get(id).seen(pos));
        return out;
    }

    /** The newest indexed position of each room (rooms without events are left out). */
    public Map<String, Long> maxPositions(Collection<String> roomIds) {
        Map<String, Long> out = new HashMap<>();
        sql.query("SELECT r.id, (SELECT max(e.stream_pos) FROM rules.room_event e WHERE e.room_id = r.id)"
                + " FROM unnest(?::varchar[]) AS r(id)",
                Sql.varchars(roomIds), rs -> {
                    long pos = rs.getLong(2);
                    if (!rs.wasNull()) {
                        out.put(rs.getString(1), pos);
                    }
                    return null;
                });
        return out;
    }

    /**
     * Takes the rooms' locks for the caller's transaction (in a fixed order): while partitions move, the old and the
     * new owner of a room may both be processing its records; the second waits and then finds them processed.
     */
    void lock(Collection<String> roomIds) {
        sql.query("SELECT pg_advisory_xact_lock(hashtext('matrix-room:' || id)) FROM unnest(?::varchar[]) AS r(id)",
                Sql.varchars(roomIds.stream().sorted().toList()), rs -> null);
    }

    /** Whether Herald has any state of this room (it is fed through herald.events). */
    public boolean known(String roomId) {
        return !sql.query("SELECT 1 FROM rules.matrix_room_state WHERE room_id = ? UNION ALL"
                + " SELECT 1 FROM rules.matrix_member WHERE room_id = ? LIMIT 1", ps -> {
                    ps.setString(1, roomId);
                    ps.setString(2, roomId);
                }, rs -> Boolean.TRUE).isEmpty();
    }

    /** A change to write: a member or a piece of room-wide state of a room. */
    public record Change(String roomId, Object state) {
    }

    /** Writes changed state (the newest of each, in the caller's transaction). */
    void save(Connection c, List<Change> changes) throws SQLException {
        Map<String, Change> latest = new HashMap<>();
        for (Change ch : changes) {
            String key = ch.roomId() + "\n" + (ch.state() instanceof RoomState.Member m ? "m:" + m.userId()
                    : "s:" + ((RoomState.Piece) ch.state()).type());
            latest.put(key, ch);
        }
        try (PreparedStatement members = c.prepareStatement("INSERT INTO rules.matrix_member (room_id, user_id,"
                + " membership, display_name, sender, event_id, origin_server_ts, stream_pos) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (room_id, user_id) DO UPDATE SET membership = EXCLUDED.membership,"
                + " display_name = EXCLUDED.display_name, sender = EXCLUDED.sender, event_id = EXCLUDED.event_id,"
                + " origin_server_ts = EXCLUDED.origin_server_ts, stream_pos = EXCLUDED.stream_pos");
                PreparedStatement pieces = c.prepareStatement("INSERT INTO rules.matrix_room_state (room_id,"
                        + " event_type, event_id, sender, origin_server_ts, stream_pos, content) VALUES (?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (room_id, event_type) DO UPDATE SET event_id = EXCLUDED.event_id,"
                        + " sender = EXCLUDED.sender, origin_server_ts = EXCLUDED.origin_server_ts,"
                        + " stream_pos = EXCLUDED.stream_pos, content = EXCLUDED.content")) {
            int m = 0;
            int p = 0;
            for (Change ch : latest.values()) {
                if (ch.state() instanceof RoomState.Member member) {
                    members.setString(1, ch.roomId());
                    members.setString(2, member.userId());
                    members.setString(3, member.membership());
                    members.setString(4, member.displayName());
                    members.setString(5, member.sender());
                    members.setString(6, member.eventId());
                    members.setLong(7, member.ts());
                    members.setLong(8, member.pos());
                    members.addBatch();
                    m++;
                } else {
                    RoomState.Piece piece = (RoomState.Piece) ch.state();
                    pieces.setString(1, ch.roomId());
                    pieces.setString(2, piece.type());
                    pieces.setString(3, piece.eventId());
                    pieces.setString(4, piece.sender());
                    pieces.setLong(5, piece.ts());
                    pieces.setLong(6, piece.pos());
                    pieces.setString(7, piece.content().toString());
                    pieces.addBatch();
                    p++;
                }
            }
            if (m > 0) {
                members.executeBatch();
            }
            if (p > 0) {
                pieces.executeBatch();
            }
        }
    }
}

package io.herald.rules.evaluation;

import io.herald.common.Json;
import io.herald.rules.db.Sql;
import io.herald.rules.push.RoomEvaluator;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * What the push rules decided for each planned notification (table {@code rules.evaluation}): the members evaluated,
 * the rule that matched for each, with its actions and tweaks. The console's timeline shows it beside the deliveries;
 * the pushes themselves carry only the rule of the member they go to.
 *
 * <p>Written only for notifications with members to evaluate (a room without members with pushers costs nothing
 * here), once: planning a notification again after a crash keeps the first row.
 */
@ApplicationScoped
public class Evaluations {

    /** Members listed per notification (notified ones first); a larger room keeps only the count of the rest. */
    public static final int MAX_MEMBERS = 1000;

    /** One notification's evaluation as stored. */
    public record Stored(String notificationId, String room, String tenant, Instant evaluatedAt, int memberCount,
            int notifiedCount, String membersJson) {
    }

    private final Sql sql;

    Evaluations(DataSource dataSource) {
        this.sql = new Sql(dataSource);
    }

    /** Records the members' results (a no-op for an empty list, or when the notification has its row already). */
    public void record(String notificationId, String room, String tenant, List<RoomEvaluator.MemberResult> evaluated) {
        if (evaluated.isEmpty()) {
            return;
        }
        List<RoomEvaluator.MemberResult> ordered = new ArrayList<>(evaluated.size());
        int notified = 0;
        for (RoomEvaluator.MemberResult r : evaluated) {
            if (r.result().shouldNotify()) {
                ordered.add(notified++, r);
            } else {
                ordered.add(r);
            }
        }
        String members = membersJson(ordered.subList(0, Math.min(ordered.size(), MAX_MEMBERS)));
        int notifiedCount = notified;
        sql.withConnection(c -> Sql.update(c, "INSERT INTO rules.evaluation (notification_id, room, tenant,"
                + " member_count, notified_count, members) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", ps -> {
                    ps.setString(1, notificationId);
                    ps.setString(2, room);
                    ps.setString(3, tenant);
                    ps.setInt(4, evaluated.size());
                    ps.setInt(5, notifiedCount);
                    ps.setString(6, members);
                }));
    }

    /** The evaluation of a notification, if one was recorded (and not pruned yet). */
    public Stored find(String notificationId) {
        List<Stored> rows = sql.query("SELECT notification_id, room, tenant, evaluated_at, member_count, notified_count,"
                + " members FROM rules.evaluation WHERE notification_id = ?", ps -> ps.setString(1, notificationId),
                rs -> new Stored(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                        rs.getInt(5), rs.getInt(6), rs.getString(7)));
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** Deletes up to {@code batch} evaluations from before {@code before}; how many went. */
    public int prune(Instant before, int batch) {
        return sql.withConnection(c -> Sql.update(c, "DELETE FROM rules.evaluation WHERE ctid IN (SELECT ctid FROM"
                + " rules.evaluation WHERE evaluated_at < ? LIMIT ?)", ps -> {
                    ps.setTimestamp(1, Timestamp.from(before));
                    ps.setInt(2, batch);
                }));
    }

    /**
     * {@code [{"user_id": ..., "notify": ..., "rule_id": ..., "kind": ..., "actions": [...], "tweaks": {...}}]}, built
     * from each result's precomputed JSON (no tree per member: a 1,000-member room is one string builder).
     */
    static String membersJson(List<RoomEvaluator.MemberResult> results) {
        StringBuilder out = new StringBuilder(results.size() * 120).append('[');
        for (RoomEvaluator.MemberResult r : results) {
            if (out.length() > 1) {
                out.append(',');
            }
            String result = r.result().toJsonString(); // {"actions":[...],"tweaks":{...},"rule_id":...,"kind":...}
            out.append("{\"user_id\":").append(Json.encode(r.member().userId()))
                    .append(",\"notify\":").append(r.result().shouldNotify()).append(',')
                    .append(result, 1, result.length());
        }
        return out.append(']').toString();
    }
}

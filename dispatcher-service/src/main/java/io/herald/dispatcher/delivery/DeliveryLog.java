package io.herald.dispatcher.delivery;

import io.herald.dispatcher.http.SafeText;
import io.herald.dispatcher.send.AttemptRecord;
import io.herald.common.Delivery;
import io.herald.common.Json;
import io.herald.dispatcher.send.SendResult;
import io.herald.dispatcher.storage.BatchWriter;
import io.herald.dispatcher.storage.Outages;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import javax.sql.DataSource;

/**
 * The delivery log (table {@code delivery_log}, written and read here only): one row per delivery id with its state,
 * attempts and history. A row's history only grows: a write adds the attempts the row does not have yet, known by
 * their time {@code at} (a parked delivery carries its earlier attempts along, a re-published or replayed one starts a
 * new list), so a replay after a dead letter still shows the failed attempts; an attempt written again replaces its
 * earlier copy in place (it may have gained the time of the next try since). Writes are batched by a {@link BatchWriter}; {@link #record} completes
 * once the row is committed (the Kafka record is acknowledged only after that), or fails with
 * {@link BatchWriter.BadRowException} when PostgreSQL refuses the row.
 */
@ApplicationScoped
public class DeliveryLog {

    private static final String UPSERT = """
            INSERT INTO dispatcher.delivery_log (delivery_id, notification_id, room_key, destination, tenant, state,
                attempts, last_status, last_error, matrix_event_id, history, summary, rule_id, accepted_by, created_at,
                updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), now())
            ON CONFLICT (delivery_id) DO UPDATE SET state = EXCLUDED.state,
                last_status = EXCLUDED.last_status, last_error = EXCLUDED.last_error,
                matrix_event_id = COALESCE(EXCLUDED.matrix_event_id, delivery_log.matrix_event_id),
                attempts = delivery_log.attempts + (SELECT count(*) FROM jsonb_array_elements(EXCLUDED.history::jsonb) n
                    WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(delivery_log.history, '[]')::jsonb) o
                        WHERE o->'at' = n->'at')),
                history = (SELECT COALESCE(jsonb_agg(e ORDER BY k), '[]'::jsonb)::text FROM (
                        SELECT COALESCE(n.v, o.v) AS e, o.i AS k
                        FROM jsonb_array_elements(COALESCE(delivery_log.history, '[]')::jsonb) WITH ORDINALITY AS o(v, i)
                        LEFT JOIN LATERAL (SELECT x AS v FROM jsonb_array_elements(EXCLUDED.history::jsonb) x
                            WHERE x->'at' = o.v->'at' LIMIT 1) n ON true
                        UNION ALL
                        SELECT n, 1000000 + i FROM jsonb_array_elements(EXCLUDED.history::jsonb) WITH ORDINALITY AS a(n, i)
                        WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(delivery_log.history, '[]')::jsonb) o
                            WHERE o->'at' = n->'at')) merged),
                summary = COALESCE(delivery_log.summary, EXCLUDED.summary),
                rule_id = COALESCE(delivery_log.rule_id, EXCLUDED.rule_id),
                accepted_by = COALESCE(delivery_log.accepted_by, EXCLUDED.accepted_by),
                updated_at = now()""";

    /** Characters of a message's body kept as the row's {@code summary}. */
    static final int SUMMARY_LENGTH = 200;

    /** One row to write: the delivery, its state, its attempts so far and the last result. */
    record Row(Delivery delivery, String state, List<AttemptRecord> history, SendResult last) {
    }

    private final DataSource dataSource;
    private final BatchWriter<Row> writer;

    DeliveryLog(DataSource dataSource, Outages outages) {
        this.dataSource = dataSource;
        this.writer = new BatchWriter<>("delivery-log", dataSource, outages, UPSERT, DeliveryLog::bind, 500);
    }

    public CompletionStage<Void> record(Delivery delivery, String state, List<AttemptRecord> history, SendResult last) {
        return writer.submit(new Row(delivery, state, List.copyOf(history), last));
    }

    /** The row of a delivery. Blocking. */
    public Optional<DeliveryLogEntry> find(String deliveryId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement("""
                        SELECT delivery_id, notification_id, room_key, destination, tenant, state, attempts, last_status,
                            last_error, matrix_event_id, history, created_at, updated_at, summary, rule_id, accepted_by
                        FROM dispatcher.delivery_log WHERE delivery_id = ?""")) {
            st.setString(1, deliveryId);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(entry(rs));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the delivery log could not be read: " + e.getMessage(), e);
        }
    }

    /** What to look for in the log: each part optional (null); {@code text} is searched in the rows' summaries. */
    public record Search(String room, String tenant, Instant since, Instant until, String text) {
    }

    /**
     * The latest rows that match, newest first (by their last update), without their attempts; a tenant of null
     * means every tenant. Blocking.
     */
    public java.util.List<DeliveryLogEntry> recent(Search search, int limit) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement("""
                        SELECT delivery_id, notification_id, room_key, destination, tenant, state, attempts, last_status,
                            last_error, matrix_event_id, NULL, created_at, updated_at, summary, rule_id, accepted_by
                        FROM dispatcher.delivery_log
                        WHERE (CAST(? AS text) IS NULL OR room_key = ?) AND (CAST(? AS text) IS NULL OR tenant = ?)
                            AND (CAST(? AS timestamptz) IS NULL OR updated_at >= ?)
                            AND (CAST(? AS timestamptz) IS NULL OR updated_at <= ?)
                            AND (CAST(? AS text) IS NULL OR summary ILIKE ?)
                        ORDER BY updated_at DESC LIMIT ?""")) {
            st.setString(1, search.room());
            st.setString(2, search.room());
            st.setString(3, search.tenant());
            st.setString(4, search.tenant());
            Timestamp since = search.since() == null ? null : Timestamp.from(search.since());
            Timestamp until = search.until() == null ? null : Timestamp.from(search.until());
            st.setTimestamp(5, since);
            st.setTimestamp(6, since);
            st.setTimestamp(7, until);
            st.setTimestamp(8, until);
            st.setString(9, search.text());
            st.setString(10, search.text() == null ? null : "%" + likeEscaped(search.text()) + "%");
            st.setInt(11, limit);
            java.util.List<DeliveryLogEntry> entries = new java.util.ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    entries.add(entry(rs));
                }
            }
            return entries;
        } catch (SQLException e) {
            throw new IllegalStateException("the delivery log could not be read: " + e.getMessage(), e);
        }
    }

    private static DeliveryLogEntry entry(ResultSet rs) throws SQLException {
        return new DeliveryLogEntry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getInt(7), (Integer) rs.getObject(8), rs.getString(9),
                rs.getString(10), rs.getString(11), rs.getTimestamp(12).toInstant(), rs.getTimestamp(13).toInstant(),
                rs.getString(14), rs.getString(15), rs.getString(16));
    }

    /** {@code text} matched literally by LIKE (its {@code %}, {@code _} and backslashes are no wildcards). */
    static String likeEscaped(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /** The start of the delivery's message: its event's body (or, for an event without one, nothing). */
    static String summary(Delivery d) {
        Object body = d.event() == null || d.event().content() == null ? null : d.event().content().get("body");
        if (!(body instanceof String text) || text.isBlank()) {
            return null;
        }
        // only the start is kept: never copy or scan a long body (this runs on every write of the log)
        String start = text.length() > 2 * SUMMARY_LENGTH ? text.substring(0, 2 * SUMMARY_LENGTH) : text;
        String safe = SafeText.of(start.strip());
        if (safe.length() <= SUMMARY_LENGTH && start.length() == text.length()) {
            return safe;
        }
        int cut = Math.min(safe.length(), SUMMARY_LENGTH - 1);
        if (Character.isHighSurrogate(safe.charAt(cut - 1))) {
            cut--; // never half a character
        }
        return safe.substring(0, cut) + "…";
    }

    static void bind(PreparedStatement st, Row row) throws SQLException {
        Delivery d = row.delivery();
        st.setString(1, d.id());
        st.setString(2, d.notificationId());
        st.setString(3, d.room());
        st.setString(4, d.destination().key());
        st.setString(5, d.tenant());
        st.setString(6, row.state());
        st.setInt(7, row.history().size());
        if (row.last() == null || row.last().status() == null) {
            st.setNull(8, Types.INTEGER);
        } else {
            st.setInt(8, row.last().status());
        }
        st.setString(9, row.last() == null ? null : SafeText.of(row.last().reason()));
        st.setString(10, row.last() instanceof SendResult.Delivered delivered ? delivered.eventId() : null);
        st.setString(11, Json.encode(row.history()));
        st.setString(12, summary(d));
        String rule = d.push() == null ? null : SafeText.of(d.push().ruleId());
        st.setString(13, rule == null || rule.length() <= 255 ? rule : rule.substring(0, 255));
        st.setString(14, d.acceptedBy()); // validated on arrival (Delivery#validate)
    }

    void start(@Observes StartupEvent event) {
        writer.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        writer.stop(5000);
    }
}

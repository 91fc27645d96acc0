package io.herald.dispatcher.overview;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The figures of the overview, read with plain SQL (blocking) from the delivery log (recent rows only, through its
 * {@code updated_at} index), the parking lot and the dead letters. A tenant of null means every tenant.
 */
@ApplicationScoped
class OverviewStore {

    private static final String TENANT = " AND (CAST(? AS text) IS NULL OR tenant = ?)";

    record Rates(long notifications, long delivered) {
    }

    record Backlog(long pending, long retrying, long dead) {
    }

    /** One account's (homeserver's) recent sends. */
    record AccountHealth(String account, long delivered, long failed, String lastError, Instant lastErrorAt) {
    }

    private final DataSource dataSource;

    OverviewStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    Rates rates(Instant since, String tenant) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT count(DISTINCT notification_id), count(*) FILTER (WHERE state = 'delivered')
                FROM dispatcher.delivery_log WHERE updated_at >= ?""" + TENANT)) {
            st.setTimestamp(1, Timestamp.from(since));
            st.setString(2, tenant);
            st.setString(3, tenant);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return new Rates(rs.getLong(1), rs.getLong(2));
            }
        }
    }

    Backlog backlog(String tenant) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT (SELECT count(*) FROM dispatcher.parked_delivery WHERE history = '[]'""" + TENANT + """
                ), (SELECT count(*) FROM dispatcher.parked_delivery WHERE history <> '[]'""" + TENANT + """
                ), (SELECT count(*) FROM dispatcher.dead_letter WHERE TRUE""" + TENANT + ")")) {
            for (int i = 0; i < 3; i++) {
                st.setString(2 * i + 1, tenant);
                st.setString(2 * i + 2, tenant);
            }
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return new Backlog(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        }
    }

    /** Room deliveries settled since {@code since}, per account (destination {@code room:<account>:<room id>}). */
    List<AccountHealth> accounts(Instant since, String tenant) throws SQLException {
        // Counts in one pass over the window (the updated_at index); the last error's text is then looked up by its
        // time, so the pass does not carry and sort every failed row's text.
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT a.account, a.delivered, a.failed, e.last_error, a.last_error_at FROM (
                    SELECT split_part(destination, ':', 2) AS account,
                        count(*) FILTER (WHERE state = 'delivered') AS delivered,
                        count(*) FILTER (WHERE state IN ('dead', 'retrying')) AS failed,
                        max(updated_at) FILTER (WHERE state IN ('dead', 'retrying')) AS last_error_at
                    FROM dispatcher.delivery_log
                    WHERE updated_at >= ? AND destination LIKE 'room:%'""" + TENANT + """
                     GROUP BY 1 ORDER BY 1 LIMIT 200) a
                LEFT JOIN LATERAL (SELECT l.last_error FROM dispatcher.delivery_log l
                    WHERE l.updated_at = a.last_error_at AND split_part(l.destination, ':', 2) = a.account
                        AND l.state IN ('dead', 'retrying') LIMIT 1) e ON TRUE
                ORDER BY a.account""")) {
            st.setTimestamp(1, Timestamp.from(since));
            st.setString(2, tenant);
            st.setString(3, tenant);
            List<AccountHealth> accounts = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Timestamp at = rs.getTimestamp(5);
                    accounts.add(new AccountHealth(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
                            at == null ? null : at.toInstant()));
                }
            }
            return accounts;
        }
    }
}

package io.herald.ingest.template;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Templates in {@code ingest.templates} (blocking JDBC). */
@ApplicationScoped
class TemplateStore {

    private static final String COLUMNS = "name, subject, body, html, priority, mentions, updated_at";

    private final DataSource dataSource;

    TemplateStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    List<TemplateSet> list() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM templates ORDER BY name");
                ResultSet rs = st.executeQuery()) {
            List<TemplateSet> sets = new ArrayList<>();
            while (rs.next()) {
                sets.add(read(rs));
            }
            return sets;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the templates: " + e.getMessage(), e);
        }
    }

    TemplateSet save(TemplateSet set) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                INSERT INTO templates (name, subject, body, html, priority, mentions) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body, html = EXCLUDED.html,
                    priority = EXCLUDED.priority, mentions = EXCLUDED.mentions, updated_at = now()
                RETURNING""" + " " + COLUMNS)) {
            st.setString(1, set.name());
            st.setString(2, set.subject());
            st.setString(3, set.body());
            st.setString(4, set.html());
            st.setString(5, set.priority());
            st.setString(6, set.mentions());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return read(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not store the template: " + e.getMessage(), e);
        }
    }

    boolean delete(String name) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement("DELETE FROM templates WHERE name = ?")) {
            st.setString(1, name);
            return st.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new IllegalStateException("could not delete the template: " + e.getMessage(), e);
        }
    }

    private static TemplateSet read(ResultSet rs) throws SQLException {
        return new TemplateSet(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), false, rs.getTimestamp(7).toInstant());
    }
}

package io.herald.rules.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Plain JDBC for the rules-service's stores: a statement on a connection of the data source, enlisted in the caller's
 * JTA transaction when there is one. SQL errors become {@link IllegalStateException}s (the callers retry or answer 5xx).
 */
public final class Sql {

    /** Sets a statement's parameters. */
    public interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Reads one row; a null row is skipped. */
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Work on a connection. */
    public interface ConnectionWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** Binds the first parameter to a {@code varchar[]} of these values (for {@code = ANY(?)} and {@code unnest}). */
    public static Binder varchars(java.util.Collection<String> values) {
        String[] array = values.toArray(String[]::new);
        return ps -> ps.setArray(1, ps.getConnection().createArrayOf("varchar", array));
    }

    private final DataSource dataSource;

    public Sql(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public <T> T withConnection(ConnectionWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException("database error: " + e.getMessage(), e);
        }
    }

    public <T> List<T> query(String sql, Binder binder, RowMapper<T> mapper) {
        return withConnection(c -> query(c, sql, binder, mapper));
    }

    public static <T> List<T> query(Connection c, String sql, Binder binder, RowMapper<T> mapper) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    T row = mapper.map(rs);
                    if (row != null) {
                        out.add(row);
                    }
                }
            }
            return out;
        }
    }

    public int update(String sql, Binder binder) {
        return withConnection(c -> update(c, sql, binder));
    }

    public static int update(Connection c, String sql, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        }
    }
}

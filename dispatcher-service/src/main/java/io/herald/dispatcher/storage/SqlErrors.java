package io.herald.dispatcher.storage;

import java.sql.SQLException;

/**
 * Tells a row PostgreSQL will never take from an outage that waiting fixes. By SQLSTATE class: {@code 22} data
 * exception (a value too long, a NUL in text, a bad JSON escape), {@code 23} integrity constraint violation,
 * {@code 42} (a statement that cannot run as written) and {@code 54} (a value over a program limit, such as an index
 * row too large) are about the data; everything else (connections, {@code 08};
 * resources, {@code 53}; shutdown, {@code 57}; conflicts, {@code 40}; a pool timeout without SQLSTATE) is waited out.
 */
public final class SqlErrors {

    private SqlErrors() {
    }

    public static boolean isDataError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException s = sql; s != null; s = s.getNextException()) {
                    String state = s.getSQLState();
                    if (state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("42")
                            || state.startsWith("54"))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** An outage to wait out: a database failure that is not about the data. Anything else is a bug, not retried. */
    public static boolean isOutage(Throwable e) {
        if (isDataError(e)) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                return true;
            }
        }
        return false;
    }

    /** The most specific message of a failure, for a dead letter's reason. */
    public static String message(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getMessage() != null) {
                return sql.getMessage();
            }
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}

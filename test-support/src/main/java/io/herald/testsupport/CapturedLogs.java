package io.herald.testsupport;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/**
 * The log lines of the JVM (a QuarkusTest's service) while open, with their MDC fields: for tests of what a line
 * carries. {@code try (CapturedLogs logs = CapturedLogs.start()) { ... logs.lines() ... }}
 */
public final class CapturedLogs extends Handler implements AutoCloseable {

    /** One line: logger, level, the formatted message and a copy of the MDC when it was logged. */
    public record Line(String logger, String level, String message, Map<String, String> mdc) {
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();

    private CapturedLogs() {
    }

    public static CapturedLogs start() {
        CapturedLogs logs = new CapturedLogs();
        Logger.getLogger("").addHandler(logs);
        return logs;
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void publish(LogRecord record) {
        if (record instanceof ExtLogRecord ext) {
            lines.add(new Line(ext.getLoggerName(), ext.getLevel().getName(), ext.getFormattedMessage(),
                    Map.copyOf(ext.getMdcCopy())));
        } else {
            lines.add(new Line(record.getLoggerName(), record.getLevel().getName(), record.getMessage(), Map.of()));
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}

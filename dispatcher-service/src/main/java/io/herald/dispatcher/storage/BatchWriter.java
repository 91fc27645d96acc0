package io.herald.dispatcher.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Writes rows in batches (one transaction per batch of up to {@code batchSize}) on one thread of its own, so that
 * writing does not cap the dispatch rate. {@link #submit} completes once the row is committed, or fails with
 * {@link BadRowException} when PostgreSQL refuses that row for what it contains: a batch that fails with a data error
 * is written again row by row, so one bad row never holds up the others, and it is never retried. An outage is waited
 * out (the batch is tried again with backoff) and reported to {@link Outages}.
 */
public final class BatchWriter<T> {

    /** How a row becomes statement parameters. */
    public interface Statement<T> {
        void bind(PreparedStatement st, T row) throws SQLException;
    }

    /** PostgreSQL refused this row for its data; retrying cannot help. */
    public static final class BadRowException extends RuntimeException {
        public BadRowException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    private record Pending<T>(T row, BooleanSupplier skip, CompletableFuture<Boolean> done) {
    }

    private static final Logger LOG = Logger.getLogger(BatchWriter.class);

    private final String name;
    private final DataSource dataSource;
    private final Outages outages;
    private final String sql;
    private final Statement<T> statement;
    private final int batchSize;
    private final BlockingQueue<Pending<T>> queue = new LinkedBlockingQueue<>();
    private volatile boolean running;
    private Thread thread;

    public BatchWriter(String name, DataSource dataSource, Outages outages, String sql, Statement<T> statement,
            int batchSize) {
        this.name = name;
        this.dataSource = dataSource;
        this.outages = outages;
        this.sql = sql;
        this.statement = statement;
        this.batchSize = batchSize;
    }

    public CompletionStage<Void> submit(T row) {
        return submit(row, () -> false).thenApply(written -> null);
    }

    /**
     * As {@link #submit(Object)}; {@code skip} is asked right before the row's batch is written, and a row it says to
     * skip is not written (the stage completes with false).
     */
    public CompletionStage<Boolean> submit(T row, BooleanSupplier skip) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        queue.add(new Pending<>(row, skip, done));
        return done;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "herald-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Writes what is queued, then stops (waiting at most {@code millis}). */
    public void stop(long millis) throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(millis);
        }
    }

    private void loop() {
        List<Pending<T>> batch = new ArrayList<>(batchSize);
        while (running || !queue.isEmpty()) {
            try {
                Pending<T> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, batchSize - 1);
                batch.removeIf(p -> {
                    if (p.skip().getAsBoolean()) {
                        p.done().complete(false);
                        return true;
                    }
                    return false;
                });
                if (!batch.isEmpty()) {
                    writeAll(batch);
                }
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // Not expected (the rows' own problems are handled below): fail the batch rather than lose the thread.
                LOG.errorf(e, "%s: writing a batch of %d rows failed unexpectedly", name, batch.size());
                batch.forEach(p -> p.done().completeExceptionally(e));
                batch.clear();
            }
        }
    }

    private void writeAll(List<Pending<T>> batch) throws InterruptedException {
        long backoff = 100;
        while (true) {
            try {
                write(batch);
                outages.databaseAnswered();
                batch.forEach(p -> p.done().complete(true));
                return;
            } catch (SQLException | RuntimeException e) {
                if (SqlErrors.isDataError(e)) {
                    if (batch.size() == 1) {
                        Pending<T> bad = batch.get(0);
                        LOG.warnf("%s: a row was refused: %s", name, SqlErrors.message(e));
                        bad.done().completeExceptionally(new BadRowException(SqlErrors.message(e), e));
                        return;
                    }
                    // Find the bad row(s): each row on its own; the others go through.
                    for (Pending<T> one : batch) {
                        writeAll(List.of(one));
                    }
                    return;
                }
                outages.database(e);
                LOG.debugf("%s: writing %d rows failed, retrying in %d ms: %s", name, batch.size(), backoff,
                        SqlErrors.message(e));
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    private void write(List<Pending<T>> batch) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement(sql)) {
                for (Pending<T> p : batch) {
                    statement.bind(st, p.row());
                    st.addBatch();
                }
                st.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}

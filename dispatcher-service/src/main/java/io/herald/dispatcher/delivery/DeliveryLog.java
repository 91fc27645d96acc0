package io.herald.dispatcher.delivery;

import io.herald.common.Delivery;
import io.herald.common.Json;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The delivery log: one row per delivery id with its state, attempts and history. A row's history only grows: a
 * write adds the attempts the row does not have yet (a parked delivery carries its earlier attempts along, a
 * re-published or replayed one starts a new list), so a replay after a dead letter still shows the failed attempts. Writes are batched (one
 * transaction per batch of up to 500 rows) by a single writer thread, so logging does not cap the dispatch rate;
 * {@link #record} completes once the row is committed, and the Kafka record is acknowledged only after that. When
 * PostgreSQL is down the writer retries, and acknowledgements wait: nothing is lost, the consumer just slows down.
 */
@ApplicationScoped
public class DeliveryLog {

    private static final Logger LOG = Logger.getLogger(DeliveryLog.class);
    private static final int BATCH = 500;
    private static final String UPSERT = """
            INSERT INTO dispatcher.delivery_log (delivery_id, notification_id, room_key, destination, state, attempts,
                last_status, last_error, matrix_event_id, history, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), now())
            ON CONFLICT (delivery_id) DO UPDATE SET state = EXCLUDED.state,
                last_status = EXCLUDED.last_status, last_error = EXCLUDED.last_error,
                matrix_event_id = COALESCE(EXCLUDED.matrix_event_id, delivery_log.matrix_event_id),
                attempts = delivery_log.attempts + (SELECT count(*) FROM jsonb_array_elements(EXCLUDED.history::jsonb) n
                    WHERE NOT COALESCE(delivery_log.history, '[]')::jsonb @> jsonb_build_array(n)),
                history = (SELECT (COALESCE(delivery_log.history, '[]')::jsonb
                        || COALESCE(jsonb_agg(n ORDER BY i), '[]'::jsonb))::text
                    FROM jsonb_array_elements(EXCLUDED.history::jsonb) WITH ORDINALITY AS a(n, i)
                    WHERE NOT COALESCE(delivery_log.history, '[]')::jsonb @> jsonb_build_array(n)),
                updated_at = now()""";

    record Pending(Delivery delivery, String state, Attempted attempted, CompletableFuture<Void> done) {
    }

    private final DataSource dataSource;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private volatile boolean running;
    private Thread writer;

    DeliveryLog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public CompletionStage<Void> record(Delivery delivery, String state, Attempted attempted) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.add(new Pending(delivery, state, attempted, done));
        return done;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        writer = new Thread(this::writeLoop, "herald-delivery-log");
        writer.setDaemon(true);
        writer.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (writer != null) {
            writer.join(5000);
        }
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                writeWithRetry(batch);
                batch.forEach(p -> p.done().complete(null));
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void writeWithRetry(List<Pending> batch) throws InterruptedException {
        long backoff = 100;
        while (true) {
            try {
                write(batch);
                return;
            } catch (SQLException | RuntimeException e) {
                LOG.warnf("delivery log write of %d rows failed, retrying in %d ms: %s", batch.size(), backoff,
                        e.getMessage());
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 10_000);
            }
        }
    }

    void write(List<Pending> batch) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement(UPSERT)) {
                for (Pending p : batch) {
                    SendResult last = p.attempted().result();
                    st.setString(1, p.delivery().id());
                    st.setString(2, p.delivery().notificationId());
                    st.setString(3, p.delivery().room());
                    st.setString(4, p.delivery().destination().key());
                    st.setString(5, p.state());
                    st.setInt(6, p.attempted().attempts());
                    if (last.status() == null) {
                        st.setNull(7, Types.INTEGER);
                    } else {
                        st.setInt(7, last.status());
                    }
                    st.setString(8, last.reason());
                    st.setString(9, last.eventId());
                    st.setString(10, Json.encode(p.attempted().history()));
                    st.addBatch();
                }
                st.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }
}

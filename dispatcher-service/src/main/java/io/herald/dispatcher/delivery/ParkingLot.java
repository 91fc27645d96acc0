package io.herald.dispatcher.delivery;

import io.herald.dispatcher.send.AttemptRecord;
import io.herald.common.Delivery;
import io.herald.common.InvalidRecordException;
import io.herald.common.Json;
import io.herald.dispatcher.hosts.Hosts;
import io.herald.dispatcher.storage.BatchWriter;
import io.herald.dispatcher.storage.Outages;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Parked deliveries (table {@code parked_delivery}): deliveries of destinations that cannot be sent to now, kept in
 * the order of their records on {@code herald.deliveries} (partition, offset) until they can. A destination is parked
 * exactly while it has rows here; the instance that owns the partition drains them. Inserts and deletes are batched.
 */
@ApplicationScoped
public class ParkingLot {

    /**
     * A parked delivery: where its record was ({@code partition}, {@code seq} = offset), its attempts so far, and the
     * {@code traceparent} of its span when it was traced (its later attempts continue that trace), else null.
     */
    public record Row(int partition, long seq, Delivery delivery, List<AttemptRecord> history, String traceParent) {
    }

    private record Key(int partition, long seq) {
    }

    private static final Logger LOG = Logger.getLogger(ParkingLot.class);

    private final DataSource dataSource;
    private final Outages outages;
    private final BatchWriter<Row> inserts;
    private final BatchWriter<Key> deletes;

    ParkingLot(DataSource dataSource, Outages outages) {
        this.dataSource = dataSource;
        this.outages = outages;
        this.inserts = new BatchWriter<>("parking-lot-in", dataSource, outages, """
                INSERT INTO dispatcher.parked_delivery (partition, seq, destination, delivery_id, payload, history,
                    trace_parent) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (partition, seq) DO NOTHING""", (st, row) -> {
                    st.setInt(1, row.partition());
                    st.setLong(2, row.seq());
                    st.setString(3, row.delivery().destination().key());
                    st.setString(4, row.delivery().id());
                    st.setString(5, Json.encode(row.delivery()));
                    st.setString(6, Json.encode(row.history()));
                    st.setString(7, row.traceParent());
                }, 500);
        this.deletes = new BatchWriter<>("parking-lot-out", dataSource, outages,
                "DELETE FROM dispatcher.parked_delivery WHERE partition = ? AND seq = ?", (st, key) -> {
                    st.setInt(1, key.partition());
                    st.setLong(2, key.seq());
                }, 500);
    }

    /**
     * Parks a delivery: true once committed; false when {@code abandoned} said so just before it was written (its lane
     * lost the partition: the row must not appear behind the next owner's back); fails with
     * {@link BatchWriter.BadRowException} when PostgreSQL refuses the row.
     */
    public CompletionStage<Boolean> park(Row row, java.util.function.BooleanSupplier abandoned) {
        return inserts.submit(row, abandoned);
    }

    /** Removes a parked delivery once its outcome is durable. */
    public CompletionStage<Void> remove(Row row) {
        return deletes.submit(new Key(row.partition(), row.seq()));
    }

    /** The oldest parked deliveries of {@code destination}, oldest first. Blocking. */
    public List<Row> next(String destination, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement("""
                        SELECT partition, seq, payload, history, trace_parent FROM dispatcher.parked_delivery
                        WHERE destination = ? ORDER BY seq LIMIT ?""")) {
            st.setString(1, destination);
            st.setInt(2, limit);
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    try {
                        rows.add(new Row(rs.getInt(1), rs.getLong(2), Json.decodeDelivery(rs.getString(3)),
                                Arrays.asList(Json.decode(rs.getString(4), AttemptRecord[].class)), rs.getString(5)));
                    } catch (InvalidRecordException e) {
                        // Herald wrote it, so this is a bug or a manual edit: keep the row (nothing is lost) and go on
                        // with the others rather than hold the destination up.
                        LOG.errorf("parked delivery at partition %d, offset %d is unreadable and skipped: %s",
                                rs.getInt(1), rs.getLong(2), e.getMessage());
                    }
                }
            }
            outages.databaseAnswered();
            return rows;
        }
    }

    /** Keeps a parked delivery's attempts. Blocking. */
    public void updateHistory(Row row) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement(
                        "UPDATE dispatcher.parked_delivery SET history = ? WHERE partition = ? AND seq = ?")) {
            st.setString(1, Json.encode(row.history()));
            st.setInt(2, row.partition());
            st.setLong(3, row.seq());
            st.executeUpdate();
        }
    }

    /** A destination with parked deliveries: its partition and host. */
    public record ParkedDestination(String destination, int partition, String host) {
    }

    /** The destinations with parked deliveries on these partitions. Blocking. */
    public List<ParkedDestination> destinations(Collection<Integer> partitions) throws SQLException {
        return destinations(partitions, java.time.Duration.ZERO);
    }

    /** As {@link #destinations(Collection)}, counting only deliveries parked for longer than {@code age}. Blocking. */
    public List<ParkedDestination> destinations(Collection<Integer> partitions, java.time.Duration age) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement("""
                        SELECT DISTINCT ON (destination) destination, partition, payload FROM dispatcher.parked_delivery
                        WHERE partition = ANY (?) AND parked_at <= now() - make_interval(secs => ?)
                        ORDER BY destination, seq""")) {
            Array array = c.createArrayOf("integer", partitions.toArray());
            st.setArray(1, array);
            st.setDouble(2, age.toMillis() / 1000.0);
            List<ParkedDestination> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    String host;
                    try {
                        host = Hosts.keyOf(Json.decodeDelivery(rs.getString(3)));
                    } catch (InvalidRecordException e) {
                        host = "unknown";
                    }
                    out.add(new ParkedDestination(rs.getString(1), rs.getInt(2), host));
                }
            }
            outages.databaseAnswered();
            return out;
        }
    }

    /** How many deliveries are parked in all (for the gauge). Blocking. */
    public long count() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement("SELECT count(*) FROM dispatcher.parked_delivery");
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    void start(@Observes StartupEvent event) {
        inserts.start();
        deletes.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        inserts.stop(5000);
        deletes.stop(5000);
    }
}

package io.herald.dispatcher.delivery;

import io.herald.common.Topics;
import io.herald.dispatcher.hosts.HostCircuit;
import io.herald.dispatcher.hosts.HostLabels;
import io.herald.dispatcher.hosts.Hosts;
import io.herald.telemetry.ConsumerLag;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * What is waiting, for the operator's gauges (docs/operations.md): {@code herald_parked_deliveries{host}} (parked
 * deliveries of this instance's partitions, by homeserver or gateway host), {@code herald_dead_letters} (the dead-letter
 * store, the same on every instance), {@code herald_oldest_pending_seconds} (the oldest delivery of this instance not
 * yet settled: in memory, from its notification's acceptance; parked, from when it was parked),
 * {@code herald_circuit_state{host,state}} (1 for the state of each host's circuit: the worst of its accounts'), and
 * {@code herald_consumer_lag{group,topic}}. The database is read every 15 s (one grouped query of the parking lot's
 * rows of this instance's partitions, one count of dead letters), never on the delivery path.
 */
@ApplicationScoped
public class BacklogGauges {

    private static final Logger LOG = Logger.getLogger(BacklogGauges.class);

    private final DeliveryConsumer consumer;
    private final Lanes lanes;
    private final Hosts hosts;
    private final HostLabels labels;
    private final DataSource dataSource;
    private final MeterRegistry registry;
    private final MultiGauge parked;
    private final MultiGauge circuits;
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicReference<Instant> oldestParked = new AtomicReference<>();
    /** Hosts that had parked deliveries: they stay, at 0, so their series do not come and go. */
    private final Set<String> parkedHosts = ConcurrentHashMap.newKeySet();

    BacklogGauges(DeliveryConsumer consumer, Lanes lanes, Hosts hosts, HostLabels labels, DataSource dataSource,
            DeliveryMetrics metrics) {
        this.consumer = consumer;
        this.lanes = lanes;
        this.hosts = hosts;
        this.labels = labels;
        this.dataSource = dataSource;
        this.registry = metrics.registry();
        this.parked = MultiGauge.builder("herald.parked.deliveries")
                .description("deliveries parked in PostgreSQL, of this instance's partitions, by host").register(registry);
        this.circuits = MultiGauge.builder("herald.circuit.state")
                .description("1 for the state (closed, half_open, open) of each host's circuit").register(registry);
    }

    void register(@Observes StartupEvent event, KafkaClientService kafka,
            @ConfigProperty(name = "mp.messaging.incoming.deliveries.group.id") String group) {
        Gauge.builder("herald.dead.letters", deadLetters, AtomicLong::get)
                .description("dead letters in the store (all instances see the same number)").register(registry);
        Gauge.builder("herald.oldest.pending.seconds", this::oldestPendingSeconds)
                .description("age of this instance's oldest delivery not yet delivered, dead-lettered or rejected")
                .register(registry);
        ConsumerLag.register(registry, kafka, DeliveryConsumer.CHANNEL, group, Topics.DELIVERIES);
    }

    /** Reads the database and the circuits again (every 15 s; tests call it). */
    @Scheduled(every = "15s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public void refresh() {
        circuits();
        try {
            parked(lanes.assignedPartitions());
            deadLetters.set(count("SELECT count(*) FROM dispatcher.dead_letter"));
        } catch (SQLException e) {
            LOG.debugf("backlog gauges not refreshed: %s", e.getMessage()); // the last values stay
        }
    }

    private void parked(Set<Integer> partitions) throws SQLException {
        Map<String, Long> byHost = new HashMap<>();
        Instant oldest = null;
        if (!partitions.isEmpty()) {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement st = c.prepareStatement("""
                            SELECT destination, count(*), min(parked_at) FROM dispatcher.parked_delivery
                            WHERE partition = ANY (?) GROUP BY destination""")) {
                st.setArray(1, c.createArrayOf("integer", partitions.toArray()));
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        byHost.merge(labels.ofDestination(rs.getString(1)), rs.getLong(2), Long::sum);
                        Timestamp at = rs.getTimestamp(3);
                        if (at != null && (oldest == null || at.toInstant().isBefore(oldest))) {
                            oldest = at.toInstant();
                        }
                    }
                }
            }
        }
        oldestParked.set(oldest);
        parkedHosts.addAll(byHost.keySet());
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        parkedHosts.forEach(host -> rows.add(MultiGauge.Row.of(Tags.of("host", host), byHost.getOrDefault(host, 0L))));
        parked.register(rows, true);
    }

    private long count(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql);
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Per host label, the worst state of its circuits (one per account, or per gateway host and port). */
    private void circuits() {
        Map<String, HostCircuit.State> worst = new HashMap<>();
        for (HostCircuit circuit : hosts.all()) {
            worst.merge(labels.ofCircuit(circuit.host()), circuit.state(), (a, b) -> rank(a) >= rank(b) ? a : b);
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        worst.forEach((host, state) -> {
            for (HostCircuit.State s : HostCircuit.State.values()) {
                rows.add(MultiGauge.Row.of(Tags.of("host", host, "state", name(s)), s == state ? 1 : 0));
            }
        });
        circuits.register(rows, true);
    }

    /** Worse is higher: open, then half open (probing), then closed. */
    private static int rank(HostCircuit.State state) {
        return switch (state) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
        };
    }

    private static String name(HostCircuit.State state) {
        return state.name().toLowerCase(java.util.Locale.ROOT);
    }

    double oldestPendingSeconds() {
        Instant now = Instant.now();
        Instant oldest = oldestParked.get();
        for (Fresh fresh : consumer.inMemory()) {
            Instant since = fresh.delivery.acceptedAt() != null ? fresh.delivery.acceptedAt()
                    : now.minusNanos(System.nanoTime() - fresh.receivedNanos);
            if (oldest == null || since.isBefore(oldest)) {
                oldest = since;
            }
        }
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toMillis() / 1000.0);
    }
}

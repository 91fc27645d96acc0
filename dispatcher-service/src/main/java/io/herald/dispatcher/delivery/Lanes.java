package io.herald.dispatcher.delivery;

import io.herald.common.Delivery;
import io.herald.dispatcher.DispatcherConfig;
import io.herald.dispatcher.hosts.HostCircuit;
import io.herald.dispatcher.hosts.HostLabels;
import io.herald.dispatcher.hosts.Hosts;
import io.herald.dispatcher.send.PushGatewaySender;
import io.herald.dispatcher.send.ReloggingRoomSender;
import io.herald.dispatcher.send.Sender;
import io.herald.dispatcher.storage.Outages;
import io.herald.dispatcher.storage.SqlErrors;
import io.herald.telemetry.Tracing;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The lanes of this instance, one per destination with work, and the partitions they belong to. Records are taken only
 * for assigned partitions; revoking a partition stops its lanes (see {@link Lane}); assigning one resumes the
 * destinations it has parked.
 */
@ApplicationScoped
public class Lanes implements LaneServices {

    private static final Logger LOG = Logger.getLogger(Lanes.class);

    private final DispatcherConfig config;
    private final DeliveryProcessor processor;
    private final ParkingLot lot;
    private final Hosts hosts;
    private final Sender rooms;
    private final Sender pushes;
    private final DeliveryMetrics metrics;
    private final Backoff backoff;
    private final Outages outages;
    private final Tracing tracing;
    private final HostLabels hostLabels;
    private final ConcurrentMap<String, Lane> lanes = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicInteger> hostLoads = new ConcurrentHashMap<>();
    private final Set<Integer> assigned = ConcurrentHashMap.newKeySet();
    /** Offers take the read lock, revocations the write lock: no lane of a revoked partition can be created late. */
    private final ReadWriteLock partitions = new ReentrantReadWriteLock();
    private final int hostShare;
    /** Records in memory over all hosts (the sum of hostLoads). */
    private final AtomicInteger totalLoad = new AtomicInteger();
    private final ExecutorService steps;
    private final ScheduledExecutorService timers;

    Lanes(DispatcherConfig config, DeliveryProcessor processor, ParkingLot lot, Hosts hosts, ReloggingRoomSender rooms,
            PushGatewaySender pushes, DeliveryMetrics metrics, Backoff backoff, Outages outages, Tracing tracing,
            HostLabels hostLabels) {
        this.tracing = tracing;
        this.hostLabels = hostLabels;
        this.config = config;
        this.processor = processor;
        this.lot = lot;
        this.hosts = hosts;
        this.rooms = rooms;
        this.pushes = pushes;
        this.metrics = metrics;
        this.backoff = backoff;
        this.outages = outages;
        this.hostShare = Math.max(1, (int) (config.maxInFlight() * config.maxHostShare()));
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.steps = Executors.newFixedThreadPool(threads, named("herald-lanes"));
        this.timers = Executors.newSingleThreadScheduledExecutor(named("herald-lane-timers"));
        metrics.registry().gauge("herald.lanes", lanes, Map::size);
        metrics.registry().gauge("herald.lanes.parked", lanes, l -> l.values().stream().filter(Lane::isParked).count());
    }

    /** Hands a fresh record to its destination's lane; abandons it when its partition is not (or no longer) ours. */
    void offer(Fresh fresh) {
        partitions.readLock().lock();
        try {
            if (fresh.partition >= 0 && !assigned.contains(fresh.partition)) {
                fresh.abandon();
                return;
            }
            String key = fresh.delivery.destination().key();
            while (true) {
                Lane lane = lanes.computeIfAbsent(key, k -> new Lane(k, fresh.partition, fresh.host, false, this));
                if (lane.offer(fresh)) {
                    return;
                }
                lanes.remove(key, lane); // retired meanwhile
            }
        } finally {
            partitions.readLock().unlock();
        }
    }

    /** Partitions now ours; the destinations they have parked start draining. */
    void assigned(Collection<Integer> newlyAssigned, List<ParkingLot.ParkedDestination> parked) {
        partitions.writeLock().lock();
        try {
            assigned.addAll(newlyAssigned);
            parked.forEach(this::resume);
        } finally {
            partitions.writeLock().unlock();
        }
        if (!parked.isEmpty()) {
            LOG.infof("partitions %s assigned: %d parked destinations resume", newlyAssigned, parked.size());
        }
    }

    /**
     * A safety net derived from what is durable: destinations of our partitions with deliveries parked for a while but
     * no lane draining them are resumed (a lane must never leave the lot behind; if one did, this says so loudly).
     * Returns how many were resumed.
     */
    int resumeForgotten(List<ParkingLot.ParkedDestination> parked) {
        int resumed = 0;
        partitions.writeLock().lock();
        try {
            for (ParkingLot.ParkedDestination p : parked) {
                Lane lane = lanes.get(p.destination());
                if (assigned.contains(p.partition()) && (lane == null || !lane.isParked())) {
                    LOG.warnf("destination %s had parked deliveries no lane was draining; resumed", p.destination());
                    resume(p);
                    resumed++;
                }
            }
        } finally {
            partitions.writeLock().unlock();
        }
        return resumed;
    }

    Set<Integer> assignedPartitions() {
        return Set.copyOf(assigned);
    }

    private void resume(ParkingLot.ParkedDestination p) {
        while (true) {
            Lane lane = lanes.computeIfAbsent(p.destination(), k -> new Lane(k, p.partition(), p.host(), true, this));
            if (lane.resumeParked()) {
                return;
            }
            lanes.remove(p.destination(), lane);
        }
    }

    /** Partitions no longer ours: their lanes stop; completes when all stopped and what they started is durable. */
    CompletableFuture<Void> revoke(Collection<Integer> revoked) {
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        partitions.writeLock().lock();
        try {
            assigned.removeAll(revoked);
            Set<Integer> gone = new HashSet<>(revoked);
            for (Lane lane : lanes.values()) {
                if (gone.contains(lane.partition)) {
                    lanes.remove(lane.destination, lane);
                    stopping.add(lane.revoke());
                }
            }
        } finally {
            partitions.writeLock().unlock();
        }
        return CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new));
    }

    /** Stops everything (shutdown). */
    CompletableFuture<Void> revokeAll() {
        return revoke(new HashSet<>(assigned));
    }

    /** The lanes of these destinations (those this instance has) try their parked deliveries now. */
    public void flush(Collection<String> destinations) {
        destinations.forEach(d -> {
            Lane lane = lanes.get(d);
            if (lane != null) {
                lane.flush();
            }
        });
    }

    /** A delivery held in this instance's memory, and how many of its attempts were answered (failed) so far. */
    public record Held(Delivery delivery, int attempts) {
    }

    /**
     * The deliveries of a room held in this instance's memory (received, not yet settled or parked), oldest first per
     * destination; only those of {@code tenant} when it is not null. Each instance holds its own partitions'.
     */
    public List<Held> held(String room, String tenant) {
        List<Held> out = new ArrayList<>();
        for (Lane lane : lanes.values()) {
            for (Held h : lane.held()) {
                if (room.equals(h.delivery().room()) && (tenant == null || tenant.equals(h.delivery().tenant()))) {
                    out.add(h);
                }
            }
        }
        return out;
    }

    Collection<Lane> all() {
        return lanes.values();
    }

    Lane lane(String destination) {
        return lanes.get(destination);
    }

    // ---- LaneServices ---------------------------------------------------------------------------------------------

    @Override
    public DeliveryProcessor processor() {
        return processor;
    }

    @Override
    public ParkingLot lot() {
        return lot;
    }

    @Override
    public Sender sender(Delivery delivery) {
        return delivery.destination().matrixRoom() != null ? rooms : pushes;
    }

    @Override
    public HostCircuit circuit(String host) {
        return hosts.circuit(host);
    }

    @Override
    public DeliveryMetrics metrics() {
        return metrics;
    }

    @Override
    public Tracing tracing() {
        return tracing;
    }

    @Override
    public String hostLabel(Delivery delivery) {
        return hostLabels.of(delivery);
    }

    @Override
    public Backoff backoff() {
        return backoff;
    }

    @Override
    public ScheduledExecutorService timers() {
        return timers;
    }

    @Override
    public int quickAttempts() {
        return config.quickAttempts();
    }

    @Override
    public Duration maxInMemoryWait() {
        return config.maxInMemoryWait();
    }

    @Override
    public int maxPerDestination() {
        return config.maxPerDestination();
    }

    /**
     * Whether a host holds its share of the records in memory while other hosts may need the rest. The share protects
     * the other hosts' room, so a host may go beyond it while the records in memory leave other hosts at least
     * {@code max-in-flight - hostShare}: one busy homeserver (the common installation) keeps its deliveries in
     * memory instead of parking most of them in PostgreSQL.
     */
    @Override
    public boolean overHostShare(String host) {
        AtomicInteger load = hostLoads.get(host);
        return load != null && load.get() >= hostShare && totalLoad.get() >= config.maxInFlight() - hostShare;
    }

    @Override
    public void hostLoad(String host, int delta) {
        if (delta != 0) {
            hostLoads.computeIfAbsent(host, h -> new AtomicInteger()).addAndGet(delta);
            totalLoad.addAndGet(delta);
        }
    }

    @Override
    public void run(Runnable step) {
        try {
            steps.execute(step);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("lane step after shutdown dropped");
        }
    }

    @Override
    public <T> void blocking(Callable<T> work, Consumer<T> then) {
        attempt(work, then, 200);
    }

    private <T> void attempt(Callable<T> work, Consumer<T> then, long backoffMillis) {
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            T result;
            try {
                result = work.call();
                outages.databaseAnswered();
            } catch (Exception e) {
                if (SqlErrors.isOutage(e)) {
                    outages.database(e);
                } else {
                    metrics.crashed();
                    LOG.errorf(e, "a parking-lot operation failed unexpectedly; retrying");
                }
                timers.schedule(() -> attempt(work, then, Math.min(backoffMillis * 2, 10_000)), backoffMillis,
                        TimeUnit.MILLISECONDS);
                return;
            }
            run(() -> then.accept(result));
        });
    }

    @Override
    public void retireIfIdle(Lane lane) {
        lanes.computeIfPresent(lane.destination, (k, l) -> l == lane && lane.retireIfIdle() ? null : l);
    }

    @PreDestroy
    void stop() {
        steps.shutdown();
        timers.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory named(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}

package io.herald.dispatcher.delivery;

import io.herald.dispatcher.send.AttemptRecord;
import io.herald.common.Delivery;
import io.herald.dispatcher.hosts.HostCircuit;
import io.herald.dispatcher.send.SendResult;
import io.herald.dispatcher.storage.BatchWriter;
import io.herald.telemetry.LogFields;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One destination's deliveries, one at a time, in the order of their records. Lanes of different destinations run
 * concurrently, so a slow or failing destination never holds up the others.
 *
 * <p>A lane is either <em>in memory</em>: fresh records queue here and are sent at once, a failed one retried a few
 * times after the destination's (short) backoff; or <em>parked</em>: its deliveries wait in the {@link ParkingLot}
 * and are drained from there, oldest first, without holding any in-memory slot while they wait. A lane parks (moving
 * its queue to the lot, the failed delivery first) when a delivery still fails after
 * {@code herald.dispatcher.quick-attempts}, when a wait is longer than {@code max-in-memory-wait}, when its host's
 * circuit is open, or when it or its host holds more records than its share of memory. While parked, new records of
 * the destination go straight to the lot behind the others; once the lot has none left, the lane is in memory again.
 *
 * <p>Waiting costs nothing but a timer: a parked delivery's next attempt waits for the destination's backoff (cut
 * short when the host's circuit closes again) and for the circuit to let it through. Every step is guarded: a failure
 * inside the lane itself is logged and retried like a transient failure, and never leaves a record unaccounted for.
 *
 * <p>When its partition is revoked, the lane starts nothing new and abandons the records still queued (not
 * acknowledged: the next owner gets them); a send already under way finishes and its outcome becomes durable, then
 * the lane reports itself {@link #revoke() stopped}.
 */
final class Lane {

    private static final Logger LOG = Logger.getLogger(Lane.class);
    private static final int LOT_PAGE = 100;
    private static final Duration LOT_POLL = Duration.ofMillis(20);
    /** A parked delivery's attempts are written to its row before a wait this long (a crash then loses none of them). */
    private static final Duration HISTORY_WORTH_WRITING = Duration.ofSeconds(1);

    final String destination;
    final int partition;
    final String host;
    private final LaneServices services;
    private final HostCircuit circuit;
    private final CompletableFuture<Void> revokedSignal = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    // Guarded by this.
    private final Deque<Fresh> queue = new ArrayDeque<>();
    private final Deque<ParkingLot.Row> lotPage = new ArrayDeque<>();
    private final List<CompletableFuture<Void>> durable = new ArrayList<>();
    /** The parking lot (may) hold deliveries of this destination. */
    private boolean parked;
    /** Moves of the queue into the lot not yet committed: the lot must not be read meanwhile (order). */
    private int queueMoves;
    /** Records parked straight from the consumer, not yet committed: the lane must not leave the lot meanwhile. */
    private int directParks;
    /** Counts parks ever started: a decision to leave the lot must not race one. */
    private long parksStarted;
    /**
     * Parked deliveries already settled whose rows are still being removed: a read of the lot skips them. (The lot is
     * always read from its oldest row, never after a cursor: a record redelivered after a crash is parked with an
     * offset below the ones already read, and must not be skipped.)
     */
    private final java.util.Set<Long> removing = new java.util.HashSet<>();
    /**
     * Rows whose removal committed while a read of the lot was under way: that read's snapshot may still hold them,
     * so its answer skips them too (else a settled delivery would be sent again).
     */
    private final java.util.Set<Long> removedDuringRead = new java.util.HashSet<>();
    private boolean reading;
    private boolean running;
    private boolean revoked;
    private boolean retired;
    private int failuresInARow;
    /** The destination's next attempt may not start before this (System.nanoTime); carried into the lot when it parks. */
    private long notBeforeNanos;
    /** The record whose send is under way: a revocation lets it finish. */
    private Fresh sending;
    private ScheduledFuture<?> timer;
    /** Completed by {@link #flush()}: a wait for recovery ends then too. */
    private CompletableFuture<Void> flush = new CompletableFuture<>();

    private volatile long progressNanos = System.nanoTime();
    /** What the lane's flow waits for now; NONE while a step runs. A running lane waiting on nothing has lost its flow. */
    private volatile Waiting waiting = Waiting.NONE;

    enum Waiting { NONE, TIMER, CIRCUIT, OPERATION, PARKING }
    /** When the operation under way (a send, a lot read) started; 0 when none is. */
    private volatile long operationSinceNanos;

    Lane(String destination, int partition, String host, boolean parked, LaneServices services) {
        this.destination = destination;
        this.partition = partition;
        this.host = host;
        this.services = services;
        this.circuit = services.circuit(host);
        this.parked = parked;
    }

    /** A fresh record for this destination. False when the lane is retired (the caller makes a new one). */
    boolean offer(Fresh fresh) {
        boolean parkDirectly;
        synchronized (this) {
            if (retired || revoked) {
                return false;
            }
            parkDirectly = parked || queue.size() >= services.maxPerDestination() || services.overHostShare(host);
            if (parkDirectly) {
                parked = true;
                directParks++;
                parksStarted++;
            } else {
                queue.add(fresh);
                services.hostLoad(host, +1);
            }
            startIfIdle();
        }
        if (parkDirectly) {
            LOG.debugf("destination %s: %d parked on arrival", destination, fresh.seq);
            park(List.of(fresh), false);
        }
        return true;
    }

    /** The records held in memory, oldest first (the one being sent included), with the attempts answered for each. */
    synchronized List<Lanes.Held> held() {
        List<Lanes.Held> out = new ArrayList<>(queue.size());
        for (Fresh fresh : queue) {
            out.add(new Lanes.Held(fresh.delivery, fresh.history.size())); // attempts answered so far
        }
        return out;
    }

    /** Starts draining the parking lot (its partition was assigned with parked deliveries of this destination). */
    synchronized boolean resumeParked() {
        if (retired || revoked) {
            return false;
        }
        parked = true;
        startIfIdle();
        return true;
    }

    private void startIfIdle() {
        if (!running && !revoked) {
            running = true;
            next();
        }
    }

    private void next() {
        later(this::step);
    }

    /** Runs a continuation of this lane's flow; a failure in it is a crash of the lane, retried, never a lost flow. */
    private void later(Runnable continuation) {
        services.run(() -> {
            try {
                continuation.run();
            } catch (RuntimeException e) {
                crashed(e);
            }
        });
    }

    /** The next thing to do. A lane runs one step at a time. */
    private void step() {
        try {
            progressNanos = System.nanoTime();
            waiting = Waiting.NONE;
            Fresh fresh;
            ParkingLot.Row row;
            boolean idle = false;
            synchronized (this) {
                if (revoked) {
                    stop();
                    return;
                }
                fresh = queue.peek();
                row = fresh == null ? lotPage.peek() : null;
                if (fresh == null && row == null) {
                    if (queueMoves > 0) {
                        waiting = Waiting.PARKING;
                        return; // the move's completion steps again
                    }
                    if (!parked) {
                        running = false;
                        idle = true;
                    }
                }
            }
            if (idle) {
                services.retireIfIdle(this); // outside the lane's lock: the registry locks in the other order
            } else if (fresh != null) {
                attemptInMemory(fresh);
            } else if (row != null) {
                attemptParked(row);
            } else {
                readLot();
            }
        } catch (RuntimeException e) {
            crashed(e);
        }
    }

    // ---- in memory ----------------------------------------------------------------------------------------------

    private void attemptInMemory(Fresh fresh) {
        Delivery delivery = fresh.delivery;
        CompletionStage<Void> purged = services.processor().purgedInstead(delivery, fresh.history);
        if (purged != null) { // the gate's answer holds for this attempt: nothing else runs before the send below
            fresh.trace.outcome(DeliveryLogEntry.PURGED);
            settleInMemory(fresh, purged);
            return;
        }
        if (Instant.now().isAfter(services.processor().deadline(delivery))) {
            fresh.trace.outcome("dead");
            try (LogFields fields = fresh.trace.fields(delivery)) {
                settleInMemory(fresh, services.processor().deadLetter(delivery, fresh.history,
                        "gave up at the deadline after " + fresh.history.size() + " attempts", null));
            }
            return;
        }
        if (!circuit.closed()) {
            moveQueueToLot("its host's circuit is open");
            return;
        }
        fresh.attempts++;
        fresh.progress();
        synchronized (this) {
            sending = fresh;
        }
        send(delivery, false, fresh.trace, result -> {
            synchronized (this) {
                sending = null;
            }
            AttemptRecord.append(fresh.history, result);
            fresh.progress();
            DeliveryProcessor.Next next = services.processor().afterAttempt(delivery, result, fresh.history,
                    failuresAfter(result));
            fresh.trace.attempted(result, next);
            if (next instanceof DeliveryProcessor.Next.Settle settle) {
                settleInMemory(fresh, settle.durable());
            } else if (isRevoked()) {
                next(); // not retried here: the record is abandoned, the next owner tries it
            } else if (fresh.attempts >= services.quickAttempts()
                    || ((DeliveryProcessor.Next.TryAgain) next).delay().compareTo(services.maxInMemoryWait()) > 0
                    || !circuit.closed()) {
                notBefore(((DeliveryProcessor.Next.TryAgain) next).delay()); // parked, it still waits what was asked
                moveQueueToLot(result.reason());
            } else {
                after(((DeliveryProcessor.Next.TryAgain) next).delay(), false);
            }
        });
    }

    /** The delivery is finished: its outcome becomes durable in the background, the lane moves on at once. */
    private void settleInMemory(Fresh fresh, CompletionStage<Void> outcome) {
        LOG.debugf("destination %s: %d settled in memory", destination, fresh.seq);
        synchronized (this) {
            if (queue.remove(fresh)) {
                services.hostLoad(host, -1);
            }
        }
        track(outcome.toCompletableFuture().whenComplete((ok, e) -> fresh.settle()));
        next();
    }

    /** Parks the whole queue, oldest first (the failed delivery with its attempts), then drains the lot. */
    private void moveQueueToLot(String why) {
        List<Fresh> moving;
        synchronized (this) {
            moving = new ArrayList<>(queue);
            queue.clear();
            services.hostLoad(host, -moving.size());
            parked = true;
            queueMoves++;
            parksStarted++;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debugf("destination %s parked %s: %s", destination, moving.stream().map(f -> f.seq).toList(), why);
        }
        waiting = Waiting.PARKING;
        park(moving, true);
    }

    private void park(List<Fresh> records, boolean queueMove) {
        List<CompletableFuture<Void>> each = new ArrayList<>(records.size());
        for (Fresh fresh : records) {
            fresh.trace.parked();
            ParkingLot.Row row = new ParkingLot.Row(fresh.partition, fresh.seq, fresh.delivery, List.copyOf(fresh.history),
                    fresh.trace.traceParent());
            CompletableFuture<Boolean> parked = services.lot().park(row, this::isRevoked).toCompletableFuture();
            each.add(parked.thenCompose(written -> written
                            ? services.processor().parked(fresh.delivery, fresh.history).thenApply(ok -> true)
                            : CompletableFuture.completedFuture(false))
                    .exceptionallyCompose(e -> refusedRow(fresh, e).thenApply(ok -> true))
                    .thenAccept(settled -> {
                        if (settled) {
                            fresh.settle();
                        } else {
                            fresh.abandon(); // its partition was revoked before the row was written: the next owner's
                        }
                    }));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
        track(all);
        all.whenComplete((ok, e) -> {
            synchronized (this) {
                if (queueMove) {
                    queueMoves--;
                } else {
                    directParks--;
                }
                if (!running) {
                    startIfIdle();
                    return;
                }
            }
            if (queueMove) {
                next(); // the lane waited for the move before reading the lot
            }
        });
    }

    private CompletionStage<Void> refusedRow(Fresh fresh, Throwable e) {
        Delivery delivery = fresh.delivery;
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        try (LogFields fields = fresh.trace.fields(delivery)) {
            if (!(cause instanceof BatchWriter.BadRowException)) {
                LOG.errorf(cause, "delivery %s: parking failed unexpectedly", delivery.id());
                services.metrics().crashed();
            }
            return services.processor().refusedRow(delivery, "the parking lot", cause);
        }
    }

    // ---- parked -------------------------------------------------------------------------------------------------

    /** Reads the next page of the lot; leaves the lot (in memory again) when it has nothing left. */
    private void readLot() {
        long parksBefore;
        boolean parksUnderWay;
        int skip;
        synchronized (this) {
            parksBefore = parksStarted;
            // A park under way now may commit after the read's snapshot, yet finish before its answer comes back: only
            // a read that started with none under way, and during which none started, may conclude the lot is empty.
            parksUnderWay = directParks > 0 || queueMoves > 0;
            skip = removing.size();
            reading = true;
        }
        operationSinceNanos = System.nanoTime();
        waiting = Waiting.OPERATION;
        services.blocking(() -> services.lot().next(destination, LOT_PAGE + skip), read -> {
            operationSinceNanos = 0;
            boolean stillParked;
            boolean empty;
            synchronized (this) {
                reading = false;
                List<ParkingLot.Row> rows = read.stream()
                        .filter(r -> !removing.contains(r.seq()) && !removedDuringRead.contains(r.seq())).toList();
                removedDuringRead.clear();
                empty = rows.isEmpty();
                if (LOG.isDebugEnabled()) {
                    LOG.debugf("destination %s read %s from the lot (skipping %s; %d parks under way)", destination,
                            rows.stream().map(ParkingLot.Row::seq).toList(), removing, directParks + queueMoves);
                }
                if (!empty) {
                    lotPage.addAll(rows);
                } else if (!parksUnderWay && directParks == 0 && queueMoves == 0 && parksBefore == parksStarted) {
                    parked = false; // nothing left, nothing arriving: in memory again
                    LOG.debugf("destination %s unparked", destination);
                }
                stillParked = parked;
            }
            if (empty && stillParked) {
                after(LOT_POLL, false); // a park is being committed, or rows are being removed: read again soon
            } else {
                next();
            }
        });
    }

    private void attemptParked(ParkingLot.Row row) {
        Delivery delivery = row.delivery();
        CompletionStage<Void> purged = services.processor().purgedInstead(delivery, row.history());
        if (purged != null) { // purged rows drain at once, without waiting for the backoff or the circuit
            settleParked(row, purged);
            return;
        }
        if (Instant.now().isAfter(services.processor().deadline(delivery))) {
            DeliveryTrace trace = parkedTrace(row);
            trace.outcome("dead");
            try (LogFields fields = trace.fields(delivery)) {
                settleParked(row, services.processor().deadLetter(delivery, row.history(),
                        "gave up at the deadline after " + row.history().size() + " attempts", null));
            }
            trace.end();
            return;
        }
        long wait;
        synchronized (this) {
            wait = notBeforeNanos - System.nanoTime();
        }
        if (wait > 0) {
            after(Duration.ofNanos(wait), true); // what the peer asked for (or the backoff) before the lane parked
            return;
        }
        waiting = Waiting.CIRCUIT;
        CompletableFuture<Boolean> turn = circuit.admit();
        CompletableFuture.anyOf(turn, revokedSignal).whenComplete((ignored, e) -> later(() -> {
            if (isRevoked()) {
                circuit.withdraw(turn);
                next();
                return;
            }
            CompletionStage<Void> purgedMeanwhile = services.processor().purgedInstead(delivery, row.history());
            if (purgedMeanwhile != null) { // purged while it waited for its turn
                circuit.withdraw(turn);
                settleParked(row, purgedMeanwhile);
                return;
            }
            boolean probe = turn.join();
            DeliveryTrace trace = parkedTrace(row);
            send(delivery, probe, trace, result -> {
                List<AttemptRecord> history = new ArrayList<>(row.history());
                AttemptRecord.append(history, result);
                ParkingLot.Row updated = new ParkingLot.Row(row.partition(), row.seq(), delivery, history,
                        row.traceParent());
                DeliveryProcessor.Next next = services.processor().afterAttempt(delivery, result, history,
                        failuresAfter(result));
                trace.attempted(result, next);
                trace.end();
                if (next instanceof DeliveryProcessor.Next.Settle settle) {
                    settleParked(updated, settle.durable());
                    return;
                }
                synchronized (this) {
                    lotPage.pollFirst();
                    lotPage.addFirst(updated);
                }
                Duration delay = ((DeliveryProcessor.Next.TryAgain) next).delay();
                notBefore(delay);
                if (delay.compareTo(HISTORY_WORTH_WRITING) < 0) {
                    next(); // a quick retry: its attempts stay in memory (written with the outcome, or a longer wait)
                    return;
                }
                waiting = Waiting.OPERATION;
                services.blocking(() -> {
                    services.lot().updateHistory(updated);
                    return null;
                }, ignoredToo -> next());
            });
        }));
    }

    private void settleParked(ParkingLot.Row row, CompletionStage<Void> outcome) {
        LOG.debugf("destination %s: parked %d settled", destination, row.seq());
        synchronized (this) {
            lotPage.pollFirst();
            removing.add(row.seq());
        }
        track(outcome.thenCompose(ok -> services.lot().remove(row)).toCompletableFuture()
                .handle((ok, e) -> {
                    if (e != null) {
                        try (LogFields fields = DeliveryTrace.NONE.fields(row.delivery())) {
                            LOG.errorf(e, "delivery %s: removing it from the parking lot failed", row.delivery().id());
                        }
                    } else {
                        synchronized (this) {
                            removing.remove(row.seq());
                            if (reading) {
                                removedDuringRead.add(row.seq());
                            }
                        }
                    }
                    return null;
                }));
        next();
    }

    // ---- sending, waiting, bookkeeping --------------------------------------------------------------------------

    /** A parked delivery's attempt continues its trace (when it was traced and tracing is on). */
    private DeliveryTrace parkedTrace(ParkingLot.Row row) {
        return services.tracing().enabled()
                ? DeliveryTrace.parked(services.tracing(), row, services::hostLabel) : DeliveryTrace.NONE;
    }

    /**
     * One attempt; its result is reported to the host's circuit, timed, traced, and handed to {@code then} (with the
     * delivery's log fields unless it was delivered: the lines that follow a failure are about it).
     */
    private void send(Delivery delivery, boolean probe, DeliveryTrace trace, Consumer<SendResult> then) {
        long start = System.nanoTime();
        operationSinceNanos = start;
        waiting = Waiting.OPERATION;
        Span span = trace.send(delivery);
        services.sender(delivery).send(delivery).subscribe().with(result -> later(() -> {
            trace.sent(span, delivery, result);
            operationSinceNanos = 0;
            progressNanos = System.nanoTime();
            services.metrics().attempt(delivery, result.outcome(), System.nanoTime() - start);
            if (result instanceof SendResult.Waiting) {
                if (probe) {
                    circuit.withdraw(CompletableFuture.completedFuture(true)); // nothing sent: the probe goes to another
                }
            } else if (result instanceof SendResult.Retry retry && retry.hostFailure()) {
                circuit.failed(probe);
            } else if (result.status() != null || probe) {
                circuit.answered(probe); // (a refusal before sending, status null, says nothing about the host)
            }
            try (LogFields fields = result instanceof SendResult.Delivered ? null : trace.fields(delivery)) {
                then.accept(result);
            } catch (RuntimeException e) {
                crashed(e);
            }
        }), failure -> later(() -> {
            trace.failed(span, failure);
            operationSinceNanos = 0;
            synchronized (this) {
                sending = null;
            }
            if (probe) {
                circuit.failed(true);
            }
            crashed(failure);
        }));
    }

    private synchronized void notBefore(Duration delay) {
        notBeforeNanos = System.nanoTime() + delay.toNanos();
    }

    private int failuresAfter(SendResult result) {
        synchronized (this) {
            if (!(result instanceof SendResult.Waiting)) { // a wait is no failure, nor a success
                failuresInARow = result instanceof SendResult.Retry ? failuresInARow + 1 : 0;
            }
            return Math.max(1, failuresInARow);
        }
    }

    /**
     * Steps again after {@code wait} (at once for zero); {@code orRecovery}: or as soon as the host's circuit closes
     * after an outage, when the backoff no longer means anything.
     */
    private void after(Duration wait, boolean orRecovery) {
        CompletableFuture<Void> wake = new CompletableFuture<>();
        waiting = Waiting.TIMER;
        synchronized (this) {
            if (!wait.isZero() && !wait.isNegative()) {
                timer = services.timers().schedule(() -> wake.complete(null), wait.toNanos(), TimeUnit.NANOSECONDS);
            } else {
                wake.complete(null);
            }
        }
        revokedSignal.thenRun(() -> wake.complete(null));
        if (orRecovery) {
            CompletableFuture.anyOf(circuit.nextRecovery(), flushSignal()).thenRun(() -> {
                synchronized (this) {
                    failuresInARow = 0;
                    notBeforeNanos = 0;
                }
                wake.complete(null);
            });
        }
        wake.thenRun(this::next);
    }

    /** A failure of Herald's own inside the lane: logged, counted, and the lane tries again after a backoff. */
    private void crashed(Throwable e) {
        services.metrics().crashed();
        try (LogFields fields = LogFields.delivery(null, null, null, destination, null)) {
            LOG.errorf(e, "destination %s: unexpected failure in its lane; retrying", destination);
        }
        int failures;
        synchronized (this) {
            failures = ++failuresInARow;
            Fresh head = queue.peek();
            if (head != null) {
                head.history.add(AttemptRecord.crash(e));
                head.progress();
            }
        }
        after(services.backoff().delay(failures).plusMillis(100), false);
    }

    private void track(CompletableFuture<Void> outcome) {
        synchronized (this) {
            durable.add(outcome);
        }
        outcome.whenComplete((ok, e) -> {
            boolean idle;
            synchronized (this) {
                durable.remove(outcome);
                progressNanos = System.nanoTime();
                idle = !running;
            }
            if (idle) {
                services.retireIfIdle(this);
            }
        });
    }

    /** A parked lane waiting out its backoff tries now (its host's circuit still decides when it may send). */
    void flush() {
        CompletableFuture<Void> signal;
        synchronized (this) {
            signal = flush;
            flush = new CompletableFuture<>();
        }
        signal.complete(null);
    }

    private synchronized CompletableFuture<Void> flushSignal() {
        return flush;
    }

    // ---- revocation ---------------------------------------------------------------------------------------------

    /** The partition was revoked: stop; completes once stopped and everything started is durable. */
    CompletableFuture<Void> revoke() {
        List<Fresh> abandoned = new ArrayList<>();
        synchronized (this) {
            if (revoked) {
                return stopped;
            }
            revoked = true;
            for (Fresh fresh : queue) {
                if (fresh != sending) {
                    abandoned.add(fresh);
                }
            }
            queue.removeAll(abandoned);
            services.hostLoad(host, -abandoned.size());
            lotPage.clear();
            if (timer != null) {
                timer.cancel(false);
            }
            if (!running) {
                stop();
            }
        }
        abandoned.forEach(Fresh::abandon);
        revokedSignal.complete(null); // a waiting lane notices at once
        return stopped;
    }

    /** With the lock held, once the lane starts nothing more: abandons what is left, stops when all is durable. */
    private void stop() {
        running = false;
        for (Fresh fresh : queue) {
            services.hostLoad(host, -1);
            fresh.abandon();
        }
        queue.clear();
        CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).whenComplete((ok, e) -> stopped.complete(null));
    }

    // ---- state for the registry and the watchdog ----------------------------------------------------------------

    synchronized boolean isRevoked() {
        return revoked;
    }

    synchronized boolean isParked() {
        return parked;
    }

    /** Nothing queued, parked, running or being made durable: marks the lane retired (dropped from the registry). */
    synchronized boolean retireIfIdle() {
        if (!running && !parked && queue.isEmpty() && durable.isEmpty() && directParks == 0 && queueMoves == 0
                && removing.isEmpty()) {
            retired = true;
        }
        return retired;
    }

    long progressNanos() {
        return progressNanos;
    }

    /**
     * True when the lane has work but its flow waits on nothing (a continuation was lost: a bug) and has made no
     * progress for {@code nanos}; {@link #kick()} gives it a new step. The safety net of the watchdog.
     */
    synchronized boolean lostItsFlow(long now, long nanos) {
        return running && !revoked && waiting == Waiting.NONE && now - progressNanos > nanos;
    }

    void kick() {
        progressNanos = System.nanoTime();
        next();
    }

    long operationSinceNanos() {
        return operationSinceNanos;
    }
}

package io.herald.dispatcher.hosts;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The circuit of one homeserver (of one account) or push gateway. Closed, it lets every send through and counts
 * transient failures in a row (5xx, timeouts, connection errors; a 429 or any other answer ends a run). It opens on
 * sustained failure only: {@code failures} in a row spanning at least {@code minSpan}, or twice as many at once (many
 * concurrent requests timing out together). Open, nothing is sent; after {@code probe} (doubling up to
 * {@code probeMax}) one waiting delivery is let through as a probe. The probe's success closes the circuit and lets
 * every waiting delivery go at once (so a destination that was parked during an outage drains right after it, instead
 * of each delivery waiting out its own backoff); its failure opens it again.
 */
public final class HostCircuit {

    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final String host;
    private final int failures;
    private final long minSpanNanos;
    private final long probeInitialNanos;
    private final long probeMaxNanos;
    private final long probeTimeoutNanos;
    private final ScheduledExecutorService timers;

    private State state = State.CLOSED;
    private int failuresInARow;
    private long firstFailureAt;
    private long probeIntervalNanos;
    private long probeAt;
    private boolean probeOut;
    private long probeSince;
    private final Deque<CompletableFuture<Boolean>> waiting = new ArrayDeque<>();
    private CompletableFuture<Void> recovery = new CompletableFuture<>();

    HostCircuit(String host, int failures, Duration minSpan, Duration probeInitial, Duration probeMax,
            Duration probeTimeout, ScheduledExecutorService timers) {
        this.host = host;
        this.failures = failures;
        this.minSpanNanos = minSpan.toNanos();
        this.probeInitialNanos = probeInitial.toNanos();
        this.probeMaxNanos = probeMax.toNanos();
        this.probeTimeoutNanos = probeTimeout.toNanos();
        this.timers = timers;
        this.probeIntervalNanos = probeInitialNanos;
    }

    public String host() {
        return host;
    }

    public synchronized State state() {
        return state;
    }

    public synchronized boolean closed() {
        return state == State.CLOSED;
    }

    /**
     * Completes when a send may start: at once while closed; while open, when the circuit closes (false) or when this
     * caller is chosen as the probe (true). A caller chosen as the probe must report its result.
     */
    public CompletableFuture<Boolean> admit() {
        CompletableFuture<Boolean> turn;
        synchronized (this) {
            if (state == State.CLOSED) {
                return CompletableFuture.completedFuture(false);
            }
            turn = new CompletableFuture<>();
            waiting.add(turn);
        }
        maybeProbe();
        return turn;
    }

    /** A caller gives up its turn (its partition was revoked); a probe it was granted goes to the next waiter. */
    public void withdraw(CompletableFuture<Boolean> turn) {
        synchronized (this) {
            waiting.remove(turn);
            if (!turn.isDone() || !turn.join()) {
                return;
            }
            probeOut = false;
        }
        maybeProbe();
    }

    /** Completes the next time the circuit closes after being open: lanes waiting out a backoff try again then. */
    public synchronized CompletableFuture<Void> nextRecovery() {
        return recovery;
    }

    /** The host answered (any answer but a 5xx or 408); {@code probe}: this send was the probe. */
    public void answered(boolean probe) {
        CompletableFuture<Void> recovered = null;
        Deque<CompletableFuture<Boolean>> released;
        synchronized (this) {
            failuresInARow = 0;
            if (probe) {
                probeOut = false;
            }
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            probeIntervalNanos = probeInitialNanos;
            released = new ArrayDeque<>(waiting);
            waiting.clear();
            recovered = recovery;
            recovery = new CompletableFuture<>();
        }
        released.forEach(turn -> turn.complete(false));
        recovered.complete(null);
    }

    /** The host failed (5xx, 408, timeout, connection error); {@code probe}: this send was the probe. */
    public void failed(boolean probe) {
        synchronized (this) {
            long now = System.nanoTime();
            if (probe) {
                probeOut = false;
            }
            if (state == State.CLOSED) {
                if (failuresInARow++ == 0) {
                    firstFailureAt = now;
                }
                boolean sustained = failuresInARow >= failures && now - firstFailureAt >= minSpanNanos;
                if (!sustained && failuresInARow < 2 * failures) {
                    return;
                }
                state = State.OPEN;
                probeIntervalNanos = probeInitialNanos;
            } else if (probe) {
                state = State.OPEN;
                probeIntervalNanos = Math.min(probeIntervalNanos * 2, probeMaxNanos);
            } else {
                return; // a send that started before the circuit opened
            }
            probeAt = now + probeIntervalNanos;
        }
        timers.schedule(this::maybeProbe, probeIntervalNanos, TimeUnit.NANOSECONDS);
    }

    /** When it is time, lets the first waiting delivery through as the probe. */
    private void maybeProbe() {
        CompletableFuture<Boolean> probe;
        synchronized (this) {
            long now = System.nanoTime();
            if (probeOut && now - probeSince > probeTimeoutNanos) {
                probeOut = false; // its result never came (the lane went away): let another try
            }
            if (state == State.CLOSED || probeOut || now - probeAt < 0) {
                return;
            }
            state = State.HALF_OPEN;
            probe = waiting.poll();
            if (probe == null) {
                return; // the next admit() probes
            }
            probeOut = true;
            probeSince = now;
        }
        probe.complete(true);
        timers.schedule(this::maybeProbe, probeTimeoutNanos, TimeUnit.NANOSECONDS);
    }
}

package io.herald.dispatcher.delivery;

import io.herald.common.Delivery;
import io.herald.dispatcher.hosts.HostCircuit;
import io.herald.dispatcher.send.Sender;
import io.herald.telemetry.Tracing;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/** What a {@link Lane} works with; {@link Lanes} provides it. */
interface LaneServices {

    DeliveryProcessor processor();

    ParkingLot lot();

    Sender sender(Delivery delivery);

    HostCircuit circuit(String host);

    DeliveryMetrics metrics();

    Tracing tracing();

    /** The {@code host} label of a delivery's metrics and spans. */
    String hostLabel(Delivery delivery);

    Backoff backoff();

    ScheduledExecutorService timers();

    int quickAttempts();

    Duration maxInMemoryWait();

    int maxPerDestination();

    /** True when the host already holds its share of the records in memory. */
    boolean overHostShare(String host);

    void hostLoad(String host, int delta);

    /** Runs a (short, non-blocking) lane step. */
    void run(Runnable step);

    /** Runs blocking database work on a worker thread, waiting out an outage, then hands the result to {@code then}. */
    <T> void blocking(Callable<T> work, Consumer<T> then);

    /** The lane may have become idle: drop it from the registry if so. */
    void retireIfIdle(Lane lane);
}

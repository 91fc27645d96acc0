package io.herald.dispatcher.delivery;

import io.herald.common.Delivery;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * A record of {@code herald.deliveries} held in memory: received, not yet acknowledged. It leaves memory in exactly one
 * of these ways: {@link #settle settled} (its outcome is durable: delivered, dead-lettered, or parked in PostgreSQL;
 * the record is acknowledged and its offset may be committed) or {@link #abandon abandoned} (its partition was
 * revoked: not acknowledged, so the partition's next owner processes it).
 */
final class Fresh {

    final Message<?> message;
    final Delivery delivery;
    final int partition;
    /** The record's offset; its place in the destination's order (also when parked). */
    final long seq;
    final String host;
    final List<AttemptRecord> history = new ArrayList<>();
    final long receivedNanos = System.nanoTime();
    /** Attempts made while in memory. */
    int attempts;
    volatile long progressNanos = receivedNanos;
    private boolean done;
    private Runnable onDone;

    Fresh(Message<?> message, Delivery delivery, int partition, long seq, String host, Runnable onDone) {
        this.message = message;
        this.delivery = delivery;
        this.partition = partition;
        this.seq = seq;
        this.host = host;
        this.onDone = onDone == null ? () -> { } : onDone;
    }

    /** What to do once it leaves memory (settled or abandoned). */
    void onDone(Runnable action) {
        this.onDone = action;
    }

    void progress() {
        progressNanos = System.nanoTime();
    }

    /** The outcome is durable: acknowledge. Only the first of settle/abandon counts. */
    void settle() {
        if (finish()) {
            message.ack();
            onDone.run();
        }
    }

    /** Its partition was revoked: leave it to the next owner (not acknowledged). */
    void abandon() {
        if (finish()) {
            onDone.run();
        }
    }

    private synchronized boolean finish() {
        if (done) {
            return false;
        }
        done = true;
        return true;
    }

    synchronized boolean done() {
        return done;
    }
}

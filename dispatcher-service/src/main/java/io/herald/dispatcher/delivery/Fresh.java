package io.herald.dispatcher.delivery;

import io.herald.dispatcher.send.AttemptRecord;
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
    /** Its span (or {@link DeliveryTrace#NONE}) and log fields, carried with it. */
    final DeliveryTrace trace;
    final List<AttemptRecord> history = new ArrayList<>();
    final long receivedNanos = System.nanoTime();
    /** Attempts made while in memory. */
    int attempts;
    volatile long progressNanos = receivedNanos;
    /** What happens when a record leaves memory; {@code settled}: false when abandoned. */
    interface Exit {
        void left(boolean settled);
    }

    private boolean done;
    private Exit onExit = settled -> { };

    Fresh(Message<?> message, Delivery delivery, int partition, long seq, String host, DeliveryTrace trace) {
        this.message = message;
        this.delivery = delivery;
        this.partition = partition;
        this.seq = seq;
        this.host = host;
        this.trace = trace;
    }

    /** What to do once it leaves memory. */
    void onExit(Exit action) {
        this.onExit = action;
    }

    void progress() {
        progressNanos = System.nanoTime();
    }

    /** The outcome is durable: acknowledge. Only the first of settle/abandon counts. */
    void settle() {
        if (finish()) {
            message.ack();
            onExit.left(true);
        }
    }

    /** Its partition was revoked: leave it to the next owner (not acknowledged, its offset not committed). */
    void abandon() {
        if (finish()) {
            onExit.left(false);
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

package io.herald.dispatcher.limits;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A semaphore whose {@link #acquire()} completes a stage instead of blocking a thread; FIFO for waiters. */
public final class AsyncSemaphore {

    private final Deque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    private int available;

    public AsyncSemaphore(int permits) {
        this.available = permits;
    }

    /** Takes a permit if one is free right now. */
    public synchronized boolean tryAcquire() {
        if (available > 0) {
            available--;
            return true;
        }
        return false;
    }

    public synchronized CompletionStage<Void> acquire() {
        if (available > 0) {
            available--;
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> turn = new CompletableFuture<>();
        waiting.add(turn);
        return turn;
    }

    public void release() {
        CompletableFuture<Void> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                available++;
            }
        }
        if (next != null) {
            next.complete(null); // the permit passes straight to the next waiter
        }
    }
}

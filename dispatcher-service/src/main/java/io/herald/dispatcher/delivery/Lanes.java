package io.herald.dispatcher.delivery;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One FIFO lane per destination: tasks of a destination run one after the other, in submission order; lanes of
 * different destinations run concurrently. This is how a slow or failing destination does not hold up the others
 * on its partition, while deliveries to one destination keep their order.
 */
final class Lanes {

    private final Map<String, CompletableFuture<Void>> tails = new HashMap<>();

    /** Runs {@code task} after every earlier task of {@code key}; the stage completes when it did (never fails). */
    CompletableFuture<Void> submit(String key, Supplier<CompletionStage<Void>> task) {
        CompletableFuture<Void> next;
        synchronized (tails) {
            CompletableFuture<Void> previous = tails.getOrDefault(key, CompletableFuture.completedFuture(null));
            next = previous.thenCompose(ignored -> {
                try {
                    return task.get();
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }).handle((ok, error) -> null);
            tails.put(key, next);
        }
        CompletableFuture<Void> mine = next;
        mine.whenComplete((ok, error) -> {
            synchronized (tails) {
                tails.remove(key, mine);
            }
        });
        return mine;
    }
}

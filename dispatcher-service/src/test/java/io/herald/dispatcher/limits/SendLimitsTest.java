package io.herald.dispatcher.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SendLimitsTest {

    @Test
    void theTokenBucketLetsTheBurstThroughThenSpacesSendsAtTheRate() {
        SendLimits.TokenBucket bucket = new SendLimits.TokenBucket(5, 2);

        assertThat(bucket.reserve()).isZero();
        assertThat(bucket.reserve()).isZero();
        Duration third = bucket.reserve();
        Duration fourth = bucket.reserve();

        // 5 per second: each send beyond the burst waits about 200 ms longer than the one before.
        assertThat(third).isBetween(Duration.ofMillis(150), Duration.ofMillis(201));
        assertThat(fourth.minus(third)).isBetween(Duration.ofMillis(190), Duration.ofMillis(201));
    }

    @Test
    void theSemaphoreHandsPermitsToWaitersInOrder() {
        AsyncSemaphore permits = new AsyncSemaphore(1);

        CompletionStage<Void> first = permits.acquire();
        CompletableFuture<Void> second = permits.acquire().toCompletableFuture();
        CompletableFuture<Void> third = permits.acquire().toCompletableFuture();

        assertThat(first.toCompletableFuture()).isDone();
        assertThat(second).isNotDone();
        permits.release();
        assertThat(second).isDone();
        assertThat(third).isNotDone();
        permits.release();
        assertThat(third).isDone();
    }

    @Test
    void noMoreThanMaxConcurrencyRequestsRunAtOnePerHomeserver() {
        SendLimits limits = new SendLimits(2, 1000, 1000);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        CompletableFuture<Void> gate = new CompletableFuture<>();

        for (int i = 0; i < 5; i++) {
            limits.limited("https://hs.example.org", "bot", () -> {
                peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                return Uni.createFrom().completionStage(gate).invoke(() -> running.decrementAndGet());
            }).subscribe().with(ok -> { });
        }
        assertThat(running.get()).isEqualTo(2);
        // Another homeserver is not limited by the first one's requests.
        AtomicInteger other = new AtomicInteger();
        limits.limited("https://other.example.org", "bot2", () -> {
            other.incrementAndGet();
            return Uni.createFrom().voidItem();
        }).subscribe().with(ok -> { });
        assertThat(other.get()).isEqualTo(1);

        gate.complete(null);
        assertThat(peak.get()).isEqualTo(2);
        assertThat(running.get()).isZero();
    }
}

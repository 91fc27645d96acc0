package io.herald.rules.routing;

import io.herald.common.Channels;
import io.herald.common.Delivery;
import io.herald.common.InvalidRecordException;
import io.herald.common.Json;
import io.herald.common.NotificationEvent;
import io.herald.rules.RulesConfig;
import io.herald.rules.publish.DeliveryPublisher;
import io.herald.rules.push.PushCache;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes {@code herald.notifications} and publishes the deliveries of each notification to
 * {@code herald.deliveries}. A notification's offset is committed only after Kafka acknowledged all of its
 * deliveries, so a crash re-plans it (with the same delivery ids) instead of losing it.
 *
 * <p>Planning is done one notification after the other per consumer, on the consumer's event loop when the caches
 * hold what it needs and on a worker thread when PostgreSQL must be asked, so deliveries are handed to the producer in
 * notification order, and the producer keeps that order per partition (idempotent, so also
 * across its own retries). Waiting for the acknowledgements is not: the next notification is planned meanwhile, and
 * each one is acknowledged when its deliveries are; the commit strategy commits an offset only once every record
 * before it was acknowledged. At most {@code herald.rules.max-unacknowledged} notifications per consumer wait so.
 *
 * <p>Records that cannot be processed (unparseable, breaking the contract's limits, unknown room, or making a delivery
 * Kafka refuses for good, such as one over the producer's {@code max.request.size}) are dead-lettered to
 * {@code herald.notifications.dlq} with the reason in the {@code dead-letter-reason} header, and the partition goes on;
 * transient trouble (database, broker) is retried here, with backoff, never dead-lettered.
 */
@ApplicationScoped
public class NotificationConsumer {

    private static final Logger LOG = Logger.getLogger(NotificationConsumer.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final DeliveryPlanner planner;
    private final DeliveryPublisher publisher;
    private final Semaphore unacknowledged;

    NotificationConsumer(DeliveryPlanner planner, DeliveryPublisher publisher, RulesConfig config) {
        this.planner = planner;
        this.publisher = publisher;
        this.unacknowledged = new Semaphore(config.maxUnacknowledged());
    }

    @Incoming(Channels.NOTIFICATIONS)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        byte[] value = message.getPayload();
        NotificationEvent notification;
        try {
            notification = Json.decodeNotification(value == null ? null : new String(value, StandardCharsets.UTF_8));
        } catch (InvalidRecordException e) {
            return message.nack(e);
        }
        // Fast path, on the consumer's event loop: everything planning needs is in the caches (the usual case) and
        // there is room for one more unacknowledged notification. Anything else (a cache miss, which loads from
        // PostgreSQL; waiting for acknowledgements) goes to a worker thread. The connector hands over the next record
        // only when the returned stage completes, so the order of notifications holds on both paths.
        if (unacknowledged.tryAcquire()) {
            List<Delivery> planned;
            try {
                planned = planner.plan(notification);
            } catch (PushCache.MissOnEventLoop e) {
                unacknowledged.release();
                return onWorker(message, notification);
            } catch (InvalidRecordException e) {
                unacknowledged.release();
                return message.nack(e);
            } catch (RuntimeException e) {
                unacknowledged.release();
                return onWorker(message, notification); // retried there with backoff
            }
            publishThenAck(message, notification, planned);
            return CompletableFuture.completedFuture(null);
        }
        return onWorker(message, notification);
    }

    private CompletionStage<Void> onWorker(Message<byte[]> message, NotificationEvent notification) {
        return Uni.createFrom().item(() -> planOnWorker(message, notification))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .subscribeAsCompletionStage().thenCompose(stage -> stage);
    }

    private CompletionStage<Void> planOnWorker(Message<byte[]> message, NotificationEvent notification) {
        List<Delivery> planned;
        try {
            planned = planUntilPossible(notification);
            unacknowledged.acquire();
        } catch (InvalidRecordException e) {
            return message.nack(e);
        } catch (InterruptedException e) {
            // Shutting down: neither ack nor nack, so the offset stays uncommitted and the record comes back.
            Thread.currentThread().interrupt();
            return new CompletableFuture<>();
        }
        publishThenAck(message, notification, planned);
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Acknowledges the record (releasing its permit) once Kafka acknowledged all its deliveries, or dead-letters it
     * when one of them can never be written.
     */
    private void publishThenAck(Message<byte[]> message, NotificationEvent notification, List<Delivery> planned) {
        publisher.publish(planned).subscribe().with(ok -> {
            unacknowledged.release();
            LOG.debugf("notification %s: %d deliveries", notification.id(), planned.size());
            message.ack();
        }, failure -> {
            unacknowledged.release();
            LOG.warnf("notification %s dead-lettered: %s", notification.id(), failure.getMessage());
            message.nack(failure); // only InvalidRecordException reaches here: everything else is retried
        });
    }

    /** Plans, retrying with backoff while the database is unavailable. */
    private List<Delivery> planUntilPossible(NotificationEvent notification) throws InterruptedException {
        Duration backoff = Duration.ofMillis(100);
        while (true) {
            try {
                return planner.plan(notification);
            } catch (InvalidRecordException e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.warnf("notification %s: %s; retrying in %d ms", notification.id(), e.getMessage(), backoff.toMillis());
                Thread.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

}

package io.herald.dispatcher.delivery;

import io.herald.common.Delivery;
import io.herald.common.InvalidRecordException;
import io.herald.common.Json;
import io.herald.dispatcher.account.AccountDirectory;
import io.herald.dispatcher.account.Credentials;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes {@code herald.deliveries} and sends each delivery, following the failure table of DESIGN.md:
 * 2xx done; 429 waits as told; 5xx, timeouts and connection errors back off exponentially until the delivery's
 * deadline; other 4xx, unknown accounts and unreadable records are dead-lettered to {@code herald.deliveries.dlq}
 * with the reason. The offset is committed only after the delivery ended (acked or dead-lettered), so a crash
 * re-delivers it, and the stable txnId makes the homeserver deduplicate it.
 */
@ApplicationScoped
public class DeliveryConsumer {

    private static final Logger LOG = Logger.getLogger(DeliveryConsumer.class);

    private final AccountDirectory accounts;
    private final MatrixRoomSender roomSender;
    private final DeliveryLog log;
    private final Backoff backoff;
    private final Duration maxRetryDuration;
    private final MeterRegistry metrics;

    DeliveryConsumer(AccountDirectory accounts, MatrixRoomSender roomSender, DeliveryLog log, Backoff backoff,
            @ConfigProperty(name = "herald.dispatcher.max-retry-duration") Duration maxRetryDuration,
            MeterRegistry metrics) {
        this.accounts = accounts;
        this.roomSender = roomSender;
        this.log = log;
        this.backoff = backoff;
        this.maxRetryDuration = maxRetryDuration;
        this.metrics = metrics;
    }

    @Incoming("deliveries")
    public Uni<Void> consume(Message<byte[]> message) {
        Delivery delivery;
        try {
            byte[] value = message.getPayload();
            delivery = Json.decodeDelivery(value == null ? null : new String(value, StandardCharsets.UTF_8));
            if (delivery.destination().matrixRoom() == null) {
                throw new InvalidRecordException("push gateway deliveries are not supported by this dispatcher yet");
            }
        } catch (InvalidRecordException e) {
            count("invalid");
            return Uni.createFrom().completionStage(message.nack(e));
        }
        return credentials(delivery.destination().matrixRoom().account())
                .flatMap(credentials -> credentials == null
                        ? Uni.createFrom().item(new Attempted(SendResult.rejected(0,
                                "unknown Matrix account '" + delivery.destination().matrixRoom().account() + "'"), 0))
                        : attempt(delivery, credentials, 1, deadline(delivery)))
                .flatMap(last -> finish(message, delivery, last));
    }

    private Uni<Credentials> credentials(String accountId) {
        Credentials cached = accounts.cached(accountId).orElse(null);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return retryingOnWorker(() -> accounts.find(accountId).orElse(null), "account lookup");
    }

    /** Tries until delivered, rejected, or the next wait would pass the deadline; the result carries the attempts. */
    private Uni<Attempted> attempt(Delivery delivery, Credentials credentials, int attempt, Instant deadline) {
        return roomSender.send(delivery, credentials).flatMap(result -> {
            if (result.outcome() != SendResult.Outcome.RETRY) {
                return Uni.createFrom().item(new Attempted(result, attempt));
            }
            Duration wait = result.retryAfter() != null ? result.retryAfter() : backoff.delay(attempt);
            if (Instant.now().plus(wait).isAfter(deadline)) {
                return Uni.createFrom().item(new Attempted(SendResult.rejected(result.status() == null ? 0 : result.status(),
                        "gave up at the deadline after " + attempt + " attempts; last: " + result.reason()), attempt));
            }
            LOG.infof("delivery %s: attempt %d failed (%s); next in %d ms", delivery.id(), attempt, result.reason(),
                    wait.toMillis());
            metrics.counter("herald.delivery.retries", "kind", "matrix_room").increment();
            return Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                    .flatMap(ignored -> attempt(delivery, credentials, attempt + 1, deadline));
        });
    }

    private Uni<Void> finish(Message<byte[]> message, Delivery delivery, Attempted attempted) {
        SendResult result = attempted.result();
        boolean delivered = result.outcome() == SendResult.Outcome.DELIVERED;
        String state = delivered ? DeliveryLogEntry.DELIVERED : DeliveryLogEntry.DEAD;
        return retryingOnWorker(() -> {
            log.record(delivery, state, attempted.attempts(), result);
            return state;
        }, "delivery log")
                .flatMap(ignored -> {
                    count(state);
                    if (delivered) {
                        LOG.debugf("delivery %s: delivered as %s", delivery.id(), result.eventId());
                        return Uni.createFrom().completionStage(message.ack());
                    }
                    LOG.warnf("delivery %s to %s: dead letter: %s", delivery.id(), delivery.destination().key(),
                            result.reason());
                    return Uni.createFrom().completionStage(message.nack(new DeliveryFailedException(result.reason())));
                });
    }

    /**
     * Runs blocking work (PostgreSQL) on a worker thread. Database trouble is transient: it is retried, never turned
     * into a dead letter (the record's offset simply stays uncommitted meanwhile).
     */
    private static <T> Uni<T> retryingOnWorker(java.util.function.Supplier<T> work, String what) {
        return Uni.createFrom().item(work)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().invoke(e -> LOG.warnf("%s failed, retrying: %s", what, e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(30)).indefinitely();
    }

    private Instant deadline(Delivery delivery) {
        Instant byConfig = (delivery.createdAt() == null ? Instant.now() : delivery.createdAt()).plus(maxRetryDuration);
        return delivery.deadline() != null && delivery.deadline().isBefore(byConfig) ? delivery.deadline() : byConfig;
    }

    private void count(String outcome) {
        metrics.counter("herald.deliveries", "outcome", outcome, "kind", "matrix_room").increment();
    }

    private record Attempted(SendResult result, int attempts) {
    }
}

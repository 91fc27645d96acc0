package io.herald.dispatcher.delivery;

import io.herald.dispatcher.send.AttemptRecord;
import io.herald.common.Channels;
import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.RejectedPusher;
import io.herald.dispatcher.DispatcherConfig;
import io.herald.dispatcher.deadletter.DeadLetterStore;
import io.herald.dispatcher.deadletter.DeadLetterTopic;
import io.herald.dispatcher.send.SendResult;
import io.herald.dispatcher.storage.BatchWriter;
import io.herald.dispatcher.storage.Outages;
import io.herald.dispatcher.storage.SqlErrors;
import io.herald.telemetry.LogFields;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Maps how an attempt ended to what happens to the delivery, by the failure table of docs/architecture.md, and makes
 * that outcome durable:
 * <ul>
 * <li>delivered: logged;</li>
 * <li>a pushkey the gateway rejected: logged and published to {@code herald.pushers.rejected}, never retried;</li>
 * <li>refused for good (4xx but 429, an unknown account, a refused URL, a token that logging in again cannot renew):
 * dead letter (stored, published to {@code herald.deliveries.dlq}, logged);</li>
 * <li>transient (429, 5xx, timeout, connection error): try again after the larger of the peer's wait and the
 * destination's backoff, unless that passes the delivery's deadline (then a dead letter).</li>
 * </ul>
 * Where a delivery waits meanwhile (in memory, or parked in PostgreSQL) is the lane's business, not this class's.
 * Rows PostgreSQL refuses (a data error) are not retried: the delivery goes to the dead-letter topic with the reason;
 * an outage is waited out. The stages returned here complete once the outcome is durable and never fail.
 */
@ApplicationScoped
public class DeliveryProcessor {

    private static final Logger LOG = Logger.getLogger(DeliveryProcessor.class);

    /** What the lane does after an attempt. */
    public sealed interface Next {
        /** The delivery is finished; {@code durable} completes once its outcome is. */
        record Settle(CompletionStage<Void> durable) implements Next {
        }

        /** Try again after {@code delay}. */
        record TryAgain(Duration delay) implements Next {
        }
    }

    private final DeliveryLog log;
    private final DeadLetterStore deadLetters;
    private final DeadLetterTopic deadLetterTopic;
    private final MutinyEmitter<String> rejectedPushers;
    private final Backoff backoff;
    private final DeliveryMetrics metrics;
    private final Outages outages;
    private final Duration maxRetryDuration;
    private final DeliveryGate gate;

    DeliveryProcessor(DeliveryLog log, DeadLetterStore deadLetters, DeadLetterTopic deadLetterTopic,
            @Channel(Channels.PUSHERS_REJECTED) MutinyEmitter<String> rejectedPushers, Backoff backoff,
            DeliveryMetrics metrics, Outages outages, DispatcherConfig config, DeliveryGate gate) {
        this.log = log;
        this.deadLetters = deadLetters;
        this.deadLetterTopic = deadLetterTopic;
        this.rejectedPushers = rejectedPushers;
        this.backoff = backoff;
        this.metrics = metrics;
        this.outages = outages;
        this.maxRetryDuration = config.maxRetryDuration();
        this.gate = gate;
    }

    /**
     * Asked right before a send starts: null when the delivery may be sent; when it was purged from its room's queue,
     * its outcome instead (logged as {@code purged}, never sent; completes once durable).
     */
    public CompletionStage<Void> purgedInstead(Delivery delivery, List<AttemptRecord> history) {
        if (!gate.purged(delivery)) {
            return null;
        }
        metrics.finished(delivery, DeliveryLogEntry.PURGED);
        return logged(delivery, DeliveryLogEntry.PURGED, history,
                SendResult.rejected(null, "purged from the room's queue before it was sent")).subscribeAsCompletionStage();
    }

    /** After an attempt: settle the delivery, or try again later. {@code failuresInARow} counts this one. */
    public Next afterAttempt(Delivery delivery, SendResult result, List<AttemptRecord> history, int failuresInARow) {
        if (result instanceof SendResult.Delivered) {
            return new Next.Settle(delivered(delivery, history, result));
        }
        if (result instanceof SendResult.PushkeyRejected) {
            return new Next.Settle(pushkeyRejected(delivery, history, result));
        }
        if (result instanceof SendResult.Waiting waiting) {
            if (Instant.now().plus(waiting.poll()).isAfter(deadline(delivery))) {
                return new Next.Settle(deadLetter(delivery, history, "gave up at the deadline, still "
                        + waiting.reason(), null));
            }
            AttemptRecord.nextAttemptAt(history, Instant.now().plus(waiting.poll()));
            return new Next.TryAgain(waiting.poll()); // no backoff: nothing failed
        }
        if (!(result instanceof SendResult.Retry retry)) {
            return new Next.Settle(deadLetter(delivery, history, result.reason(), result.status()));
        }
        Duration wait = backoff.delay(failuresInARow);
        if (retry.retryAfter() != null && retry.retryAfter().compareTo(wait) > 0) {
            wait = retry.retryAfter();
        }
        if (Instant.now().plus(wait).isAfter(deadline(delivery))) {
            return new Next.Settle(deadLetter(delivery, history, "gave up at the deadline after " + history.size()
                    + " attempts; last: " + result.reason(), result.status()));
        }
        metrics.retried(delivery);
        AttemptRecord.nextAttemptAt(history, Instant.now().plus(wait)); // shown by GET /v1/notifications/{id}
        return new Next.TryAgain(wait);
    }

    /** When retrying stops: the delivery's own deadline, and at most {@code max-retry-duration} after its creation. */
    public Instant deadline(Delivery delivery) {
        Instant byConfig = (delivery.createdAt() == null ? Instant.now() : delivery.createdAt()).plus(maxRetryDuration);
        return delivery.deadline() != null && delivery.deadline().isBefore(byConfig) ? delivery.deadline() : byConfig;
    }

    /** Dead letter: stored (unless PostgreSQL refuses the row), published to the dead-letter topic, logged. */
    public CompletionStage<Void> deadLetter(Delivery delivery, List<AttemptRecord> history, String reason, Integer status) {
        metrics.finished(delivery, DeliveryLogEntry.DEAD);
        LOG.warnf("delivery %s to %s: dead letter: %s", delivery.id(), delivery.destination().key(), reason);
        return blocking(() -> deadLetters.store(delivery, history, reason, status), "dead-letter store")
                .flatMap(refused -> deadLetterTopic.publish(delivery, refused == null ? reason
                        : reason + "; the dead-letter store refused it: " + refused))
                .flatMap(ignored -> logged(delivery, DeliveryLogEntry.DEAD, history,
                        SendResult.rejected(status, reason)))
                .subscribeAsCompletionStage();
    }

    /** Parked: the delivery log says it is waiting (when it has attempts to show). */
    public CompletionStage<Void> parked(Delivery delivery, List<AttemptRecord> history) {
        metrics.parked(delivery);
        if (history.isEmpty()) {
            return Uni.createFrom().voidItem().subscribeAsCompletionStage();
        }
        AttemptRecord last = history.get(history.size() - 1);
        return logged(delivery, DeliveryLogEntry.RETRYING, history, new SendResult.Retry(last.status(), last.detail(),
                null, false)).subscribeAsCompletionStage();
    }

    /** PostgreSQL will never take this delivery's row (parking lot): the dead-letter topic gets it, with the reason. */
    public CompletionStage<Void> refusedRow(Delivery delivery, String where, Throwable refusal) {
        metrics.finished(delivery, DeliveryLogEntry.DEAD);
        String reason = where + " refused the delivery's row: " + SqlErrors.message(refusal);
        LOG.warnf("delivery %s to %s: dead letter (topic only): %s", delivery.id(), delivery.destination().key(), reason);
        return deadLetterTopic.publish(delivery, reason).subscribeAsCompletionStage();
    }

    private CompletionStage<Void> delivered(Delivery delivery, List<AttemptRecord> history, SendResult result) {
        metrics.finished(delivery, DeliveryLogEntry.DELIVERED);
        return logged(delivery, DeliveryLogEntry.DELIVERED, history, result).subscribeAsCompletionStage();
    }

    private CompletionStage<Void> pushkeyRejected(Delivery delivery, List<AttemptRecord> history, SendResult result) {
        metrics.finished(delivery, DeliveryLogEntry.REJECTED);
        Destination.Pusher p = delivery.destination().pusher();
        Message<String> record = Message.of(Json.encode(new RejectedPusher(p.appId(), p.pushkey(), p.url(), delivery.id())))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(p.pushkey()).build());
        return logged(delivery, DeliveryLogEntry.REJECTED, history, result)
                .flatMap(ignored -> DeadLetterTopic.untilSent(rejectedPushers, record, outages))
                .subscribeAsCompletionStage();
    }

    /** Writes the delivery log; a row it refuses sends the delivery to the dead-letter topic instead. */
    private Uni<Void> logged(Delivery delivery, String state, List<AttemptRecord> history, SendResult last) {
        return Uni.createFrom().completionStage(() -> log.record(delivery, state, history, last))
                .onFailure(BatchWriter.BadRowException.class).recoverWithUni(e -> deadLetterTopic.publish(delivery,
                        "the delivery log refused the row of this " + state + " delivery: " + e.getMessage()))
                .onFailure().recoverWithUni(e -> {
                    try (LogFields fields = DeliveryTrace.NONE.fields(delivery)) {
                        LOG.errorf(e, "delivery %s: writing the delivery log failed unexpectedly", delivery.id());
                    }
                    return deadLetterTopic.publish(delivery, "the delivery log could not be written (" + state + "): " + e);
                });
    }

    /**
     * Runs a blocking database step on a worker thread; waits out an outage. Returns null when done, else why the row
     * was refused for good (a data error, or an unexpected failure, which is not retried either).
     */
    private Uni<String> blocking(Runnable work, String what) {
        return Uni.createFrom().item(() -> {
                    work.run();
                    return (String) null;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .invoke(outages::databaseAnswered)
                .onFailure(SqlErrors::isOutage).invoke(e -> {
                    outages.database(e);
                    LOG.debugf("%s failed, retrying: %s", what, SqlErrors.message(e));
                })
                .onFailure(SqlErrors::isOutage).retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10))
                .indefinitely()
                .onFailure().recoverWithItem(e -> {
                    if (!SqlErrors.isDataError(e)) {
                        LOG.errorf(e, "%s failed unexpectedly", what);
                    }
                    return SqlErrors.message(e);
                });
    }
}

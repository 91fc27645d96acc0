package io.herald.rules.routing;

import io.herald.common.Channels;
import io.herald.common.Delivery;
import io.herald.common.InvalidRecordException;
import io.herald.common.Json;
import io.herald.common.NotificationEvent;
import io.herald.common.ProducerErrors;
import io.herald.common.Topics;
import io.herald.rules.RulesConfig;
import io.herald.rules.publish.DeliveryPublisher;
import io.herald.rules.push.PushCache;
import io.herald.telemetry.LogFields;
import io.herald.telemetry.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.CompositeException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaProducer;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
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
 *
 * <p>While tracing is on, each notification gets a {@code process herald.notifications} span continuing the trace its
 * record's headers carry, lasting until Kafka acknowledged its deliveries, whose records carry its context. A record
 * without a trace context starts a trace (as the sampler decides) only if it did not come from ingest
 * ({@code herald-api-key}): ingest sends a context with every notification it traces. Log lines about a notification
 * carry its {@link LogFields}.
 */
@ApplicationScoped
public class NotificationConsumer {

    private static final Logger LOG = Logger.getLogger(NotificationConsumer.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final DeliveryPlanner planner;
    private final DeliveryPublisher publisher;
    private final Semaphore unacknowledged;
    private final Tracing tracing;
    private final RoutingMetrics metrics;

    NotificationConsumer(DeliveryPlanner planner, DeliveryPublisher publisher, RulesConfig config, Tracing tracing,
            RoutingMetrics metrics) {
        this.planner = planner;
        this.publisher = publisher;
        this.tracing = tracing;
        this.metrics = metrics;
        this.unacknowledged = new Semaphore(config.maxUnacknowledged());
    }

    @Incoming(Channels.NOTIFICATIONS)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        byte[] value = message.getPayload();
        NotificationEvent notification;
        try {
            notification = Json.decodeNotification(value == null ? null : new String(value, StandardCharsets.UTF_8));
        } catch (InvalidRecordException e) {
            metrics.deadLettered();
            return message.nack(e);
        }
        Span span = tracing.enabled() ? processSpan(message, notification) : Span.getInvalid();
        // Fast path, on the consumer's event loop: everything planning needs is in the caches (the usual case) and
        // there is room for one more unacknowledged notification. Anything else (a cache miss, which loads from
        // PostgreSQL; waiting for acknowledgements) goes to a worker thread. The connector hands over the next record
        // only when the returned stage completes, so the order of notifications holds on both paths.
        if (unacknowledged.tryAcquire()) {
            List<Delivery> planned;
            try {
                planned = planner.plan(notification, acceptedBy(message));
            } catch (PushCache.MissOnEventLoop e) {
                unacknowledged.release();
                return onWorker(message, notification, span);
            } catch (InvalidRecordException e) {
                unacknowledged.release();
                return deadLetter(message, notification, span, e);
            } catch (RuntimeException e) {
                unacknowledged.release();
                return onWorker(message, notification, span); // retried there with backoff
            }
            publishThenAck(message, notification, planned, span);
            return CompletableFuture.completedFuture(null);
        }
        return onWorker(message, notification, span);
    }

    /**
     * The API key ingest accepted the notification with ({@code herald-api-key}, set by ingest; a producer writing to
     * Kafka directly sets none), carried into the deliveries for the console's timeline. Informational only: anyone
     * allowed to write herald.notifications could set the header.
     */
    static String acceptedBy(Message<byte[]> message) {
        IncomingKafkaRecordMetadata<?, ?> record = message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        Header header = record == null ? null : record.getHeaders().lastHeader(io.herald.common.RecordHeaders.API_KEY);
        if (header == null || header.value() == null) {
            return null;
        }
        String key = new String(header.value(), StandardCharsets.UTF_8);
        return key.isEmpty() || key.length() > Delivery.MAX_ID || key.chars().anyMatch(Character::isISOControl) ? null
                : key;
    }

    /**
     * {@code process herald.notifications}, continuing the trace of the record (its headers). A record from ingest
     * without one was not sampled there; a producer's own record may start a trace here.
     */
    private Span processSpan(Message<byte[]> message, NotificationEvent notification) {
        IncomingKafkaRecordMetadata<?, ?> record = message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        Span span = record == null ? tracing.start("process " + Topics.NOTIFICATIONS, SpanKind.CONSUMER,
                Context.root())
                : tracing.process(Topics.NOTIFICATIONS, record.getHeaders(), record.getPartition(), record.getOffset(),
                        record.getHeaders().lastHeader(io.herald.common.RecordHeaders.API_KEY) == null);
        if (!span.isRecording()) {
            return span;
        }
        span.setAttribute(Tracing.NOTIFICATION_ID, notification.id());
        span.setAttribute(Tracing.ROOM, notification.room());
        return span;
    }

    private CompletionStage<Void> onWorker(Message<byte[]> message, NotificationEvent notification, Span span) {
        return Uni.createFrom().item(() -> planOnWorker(message, notification, span))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .subscribeAsCompletionStage().thenCompose(stage -> stage);
    }

    private CompletionStage<Void> planOnWorker(Message<byte[]> message, NotificationEvent notification, Span span) {
        List<Delivery> planned;
        try {
            planned = planUntilPossible(notification, acceptedBy(message), span);
            unacknowledged.acquire();
        } catch (InvalidRecordException e) {
            return deadLetter(message, notification, span, e);
        } catch (InterruptedException e) {
            // Shutting down: neither ack nor nack, so the offset stays uncommitted and the record comes back.
            Thread.currentThread().interrupt();
            span.end();
            return new CompletableFuture<>();
        }
        publishThenAck(message, notification, planned, span);
        return CompletableFuture.completedFuture(null);
    }

    /** To {@code herald.notifications.dlq} with the reason (SmallRye's dead-letter strategy), the line with its fields. */
    private CompletionStage<Void> deadLetter(Message<byte[]> message, NotificationEvent notification, Span span,
            Throwable reason) {
        metrics.deadLettered();
        span.setAttribute(Tracing.OUTCOME, "dead");
        Tracing.end(span, reason);
        try (LogFields fields = fields(notification, span)) {
            LOG.warnf("notification %s dead-lettered: %s", notification.id(), reason.getMessage());
            return message.nack(reason);
        }
    }

    private static LogFields fields(NotificationEvent notification, Span span) {
        return LogFields.notification(notification.id(), notification.room(), span.getSpanContext());
    }

    /**
     * Acknowledges the record (releasing its permit) once Kafka acknowledged all its deliveries, or dead-letters it
     * when one of them can never be written.
     */
    private void publishThenAck(Message<byte[]> message, NotificationEvent notification, List<Delivery> planned,
            Span span) {
        publisher.publish(planned, span).subscribe().with(ok -> {
            unacknowledged.release();
            metrics.planned(planned.size());
            span.setAttribute(Tracing.FANOUT, (long) planned.size());
            span.end();
            if (LOG.isDebugEnabled()) {
                try (LogFields fields = fields(notification, span)) {
                    LOG.debugf("notification %s: %d deliveries", notification.id(), planned.size());
                }
            }
            message.ack();
        }, failure -> {
            unacknowledged.release();
            deadLetter(message, notification, span, failure); // only InvalidRecordException: all else is retried
        });
    }

    /** Plans, retrying with backoff while the database is unavailable. */
    private List<Delivery> planUntilPossible(NotificationEvent notification, String acceptedBy, Span span)
            throws InterruptedException {
        Duration backoff = Duration.ofMillis(100);
        while (true) {
            try {
                return planner.plan(notification, acceptedBy);
            } catch (InvalidRecordException e) {
                throw e;
            } catch (RuntimeException e) {
                try (LogFields fields = fields(notification, span)) {
                    LOG.warnf("notification %s: %s; retrying in %d ms", notification.id(), e.getMessage(),
                            backoff.toMillis());
                }
                Thread.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }
}

package io.herald.dispatcher.delivery;

import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.RejectedPusher;
import io.herald.dispatcher.push.OutboundUrlGuard;
import io.herald.dispatcher.push.PushGatewaySender;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.util.function.Supplier;
import org.eclipse.microprofile.reactive.messaging.Channel;
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
 * Consumes {@code herald.deliveries} and sends each delivery into a Matrix room or to a push gateway, following the failure table of DESIGN.md:
 * 2xx done; 429 waits as told; 5xx, timeouts and connection errors back off exponentially until the delivery's
 * deadline; other 4xx, unknown accounts and unreadable records are dead-lettered to {@code herald.deliveries.dlq}
 * with the reason; a pushkey the gateway rejected is published to {@code herald.pushers.rejected}. The offset is committed only after the delivery ended (acked or dead-lettered), so a crash
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
    private final PushGatewaySender pushSender;
    private final OutboundUrlGuard urlGuard;
    private final MutinyEmitter<String> rejectedPushers;

    DeliveryConsumer(AccountDirectory accounts, MatrixRoomSender roomSender, DeliveryLog log, Backoff backoff,
            @ConfigProperty(name = "herald.dispatcher.max-retry-duration") Duration maxRetryDuration,
            MeterRegistry metrics, PushGatewaySender pushSender, OutboundUrlGuard urlGuard,
            @Channel("pushers-rejected") MutinyEmitter<String> rejectedPushers) {
        this.pushSender = pushSender;
        this.urlGuard = urlGuard;
        this.rejectedPushers = rejectedPushers;
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
        } catch (InvalidRecordException e) {
            metrics.counter("herald.deliveries", "outcome", "invalid", "kind", "unknown").increment();
            return Uni.createFrom().completionStage(message.nack(e));
        }
        Uni<Attempted> attempted = delivery.destination().matrixRoom() != null ? toRoom(delivery) : toGateway(delivery);
        return attempted.flatMap(last -> finish(message, delivery, last));
    }

    private Uni<Attempted> toRoom(Delivery delivery) {
        String accountId = delivery.destination().matrixRoom().account();
        Credentials cached = accounts.cached(accountId).orElse(null);
        Uni<Credentials> credentials = cached != null ? Uni.createFrom().item(cached)
                : retryingOnWorker(() -> accounts.find(accountId).orElse(null), "account lookup");
        return credentials.flatMap(c -> c == null
                ? refused("unknown Matrix account '" + accountId + "'")
                : attempt(delivery, () -> roomSender.send(delivery, c), 1, deadline(delivery)));
    }

    private Uni<Attempted> toGateway(Delivery delivery) {
        String url = delivery.destination().pusher().url();
        Uni<String> refusal = urlGuard.cachedAllowed(url) ? Uni.createFrom().nullItem()
                : Uni.createFrom().item(() -> urlGuard.refusal(url)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return refusal.flatMap(reason -> reason != null ? refused(reason)
                : attempt(delivery, () -> pushSender.send(delivery), 1, deadline(delivery)));
    }

    private static Uni<Attempted> refused(String reason) {
        return Uni.createFrom().item(new Attempted(SendResult.rejected(0, reason), 0));
    }

    /** Tries until delivered, rejected, or the next wait would pass the deadline; the result carries the attempts. */
    private Uni<Attempted> attempt(Delivery delivery, Supplier<Uni<SendResult>> send, int attempt, Instant deadline) {
        return send.get().flatMap(result -> {
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
            metrics.counter("herald.delivery.retries", "kind", kind(delivery)).increment();
            return Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                    .flatMap(ignored -> attempt(delivery, send, attempt + 1, deadline));
        });
    }

    private Uni<Void> finish(Message<byte[]> message, Delivery delivery, Attempted attempted) {
        SendResult result = attempted.result();
        String state = switch (result.outcome()) {
            case DELIVERED -> DeliveryLogEntry.DELIVERED;
            case PUSHKEY_REJECTED -> DeliveryLogEntry.REJECTED;
            default -> DeliveryLogEntry.DEAD;
        };
        Uni<Void> recorded = retryingOnWorker(() -> {
            log.record(delivery, state, attempted.attempts(), result);
            return state;
        }, "delivery log").replaceWithVoid();
        metrics.counter("herald.deliveries", "outcome", state, "kind", kind(delivery)).increment();
        return switch (result.outcome()) {
            case DELIVERED -> recorded.flatMap(ignored -> Uni.createFrom().completionStage(message.ack()));
            case PUSHKEY_REJECTED -> recorded
                    .flatMap(ignored -> rejectedPushers.sendMessage(rejectedPusher(delivery)))
                    .flatMap(ignored -> Uni.createFrom().completionStage(message.ack()));
            default -> recorded.flatMap(ignored -> {
                LOG.warnf("delivery %s to %s: dead letter: %s", delivery.id(), delivery.destination().key(),
                        result.reason());
                return Uni.createFrom().completionStage(message.nack(new DeliveryFailedException(result.reason())));
            });
        };
    }

    private static Message<String> rejectedPusher(Delivery delivery) {
        Destination.Pusher p = delivery.destination().pusher();
        return Message.of(Json.encode(new RejectedPusher(p.appId(), p.pushkey(), p.url(), delivery.id())))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(p.pushkey()).build());
    }

    private static String kind(Delivery delivery) {
        return delivery.destination().matrixRoom() != null ? "matrix_room" : "push";
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

    private record Attempted(SendResult result, int attempts) {
    }
}

package io.herald.dispatcher.delivery;

import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.RejectedPusher;
import io.herald.dispatcher.account.AccountDirectory;
import io.herald.dispatcher.secret.SecretBox;
import io.herald.dispatcher.account.Credentials;
import io.herald.dispatcher.account.MatrixLogin;
import io.herald.dispatcher.deadletter.DeadLetterStore;
import io.herald.dispatcher.limits.SendLimits;
import io.herald.dispatcher.push.OutboundUrlGuard;
import io.herald.dispatcher.push.PushGatewaySender;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * What happens to one delivery, by the failure table of DESIGN.md:
 * <ul>
 * <li>2xx: done, logged, acknowledged;</li>
 * <li>429: wait {@code Retry-After}, else {@code retry_after_ms}, else the backoff;</li>
 * <li>401 {@code M_UNKNOWN_TOKEN}: log in again with the stored password and retry once, else dead letter;</li>
 * <li>other 4xx, unknown account, a pusher URL into an internal network: dead letter at once;</li>
 * <li>5xx, timeout, connection error: a few quick tries here, then the delivery is <em>parked</em> in the retry
 * topic (and its destination with it: later deliveries to it follow it there, keeping their order), where it is
 * retried with backoff up to the cap until its deadline, then dead-lettered;</li>
 * <li>a pushkey the gateway rejected: logged and published to {@code herald.pushers.rejected}, never retried.</li>
 * </ul>
 * A record is acknowledged only once its outcome is durable (logged, parked in the retry topic, or dead-lettered), so
 * its offset is never committed before; a crash re-delivers it, and the stable txnId lets the homeserver deduplicate.
 */
@ApplicationScoped
public class DeliveryProcessor {

    private static final Logger LOG = Logger.getLogger(DeliveryProcessor.class);
    /** Header of retry-topic records: epoch millis before which the next attempt must not start. */
    static final String NOT_BEFORE = "herald-not-before";
    /** Header of retry-topic records: the attempts so far (JSON). */
    static final String HISTORY = "herald-history";

    private final AccountDirectory accounts;
    private final MatrixLogin login;
    private final MatrixRoomSender roomSender;
    private final PushGatewaySender pushSender;
    private final OutboundUrlGuard urlGuard;
    private final SendLimits limits;
    private final DeliveryLog log;
    private final DeadLetterStore deadLetters;
    private final ParkedDestinations parked;
    private final Backoff backoff;
    private final MutinyEmitter<String> retryTopic;
    private final MutinyEmitter<String> rejectedPushers;
    private final MeterRegistry metrics;
    private final java.util.Map<String, Object> meters = new java.util.concurrent.ConcurrentHashMap<>();
    private final int quickAttempts;
    private final Duration maxRetryDuration;

    DeliveryProcessor(AccountDirectory accounts, MatrixLogin login, MatrixRoomSender roomSender,
            PushGatewaySender pushSender, OutboundUrlGuard urlGuard, SendLimits limits, DeliveryLog log,
            DeadLetterStore deadLetters, ParkedDestinations parked, Backoff backoff,
            @Channel("deliveries-retry-out") MutinyEmitter<String> retryTopic,
            @Channel("pushers-rejected") MutinyEmitter<String> rejectedPushers, MeterRegistry metrics,
            @ConfigProperty(name = "herald.dispatcher.quick-attempts") int quickAttempts,
            @ConfigProperty(name = "herald.dispatcher.max-retry-duration") Duration maxRetryDuration) {
        this.accounts = accounts;
        this.login = login;
        this.roomSender = roomSender;
        this.pushSender = pushSender;
        this.urlGuard = urlGuard;
        this.limits = limits;
        this.log = log;
        this.deadLetters = deadLetters;
        this.parked = parked;
        this.backoff = backoff;
        this.retryTopic = retryTopic;
        this.rejectedPushers = rejectedPushers;
        this.metrics = metrics;
        this.quickAttempts = quickAttempts;
        this.maxRetryDuration = maxRetryDuration;
    }

    /**
     * A record of {@code herald.deliveries}: a few quick tries, else parked in the retry topic. {@code laneFree}
     * completes as soon as the next delivery to the same destination may start: when the send's outcome is known
     * (logging and acknowledging go on without holding the destination up), or, for a parked delivery, once it is
     * parked.
     */
    public Uni<Void> processFresh(Message<?> message, Delivery delivery, CompletableFuture<Void> laneFree) {
        String destination = delivery.destination().key();
        if (parked.isParked(destination)) {
            // Its destination is parked: queue behind the deliveries waiting there, so order holds.
            return park(message, delivery, List.of(), Instant.now());
        }
        return attempts(delivery, new ArrayList<>(), quickAttempts).flatMap(attempted -> {
            if (attempted.result().outcome() == SendResult.Outcome.RETRY) {
                return park(message, delivery, attempted.history(), Instant.now().plus(retryWait(attempted)));
            }
            laneFree.complete(null);
            return finish(message, delivery, attempted);
        });
    }

    /**
     * A record of the retry topic: wait until due, then try until done or the deadline; unpark its destination.
     * {@code laneFree} as in {@link #processFresh}.
     */
    public Uni<Void> processParked(Message<?> message, Delivery delivery, Instant notBefore, List<AttemptRecord> history,
            CompletableFuture<Void> laneFree) {
        Duration untilDue = Duration.between(Instant.now(), notBefore);
        Uni<Void> due = untilDue.isNegative() || untilDue.isZero() ? Uni.createFrom().voidItem()
                : Uni.createFrom().voidItem().onItem().delayIt().by(untilDue);
        return due.flatMap(ignored -> attempts(delivery, new ArrayList<>(history), Integer.MAX_VALUE))
                .flatMap(attempted -> {
                    laneFree.complete(null);
                    return finish(message, delivery, attempted);
                })
                .flatMap(ignored -> blocking(() -> {
                    parked.unpark(delivery.destination().key());
                    return null;
                }, "unpark"));
    }

    /** Tries until delivered, refused, {@code maxAttempts} tries, or the next wait would pass the deadline. */
    private Uni<Attempted> attempts(Delivery delivery, List<AttemptRecord> history, int maxAttempts) {
        Instant deadline = deadline(delivery);
        if (delivery.destination().matrixRoom() != null) {
            String accountId = delivery.destination().matrixRoom().account();
            // An account whose token cannot be decrypted is dead-lettered with the reason, like an unknown one,
            // instead of being retried forever: once the key is fixed, the dead letters can be replayed.
            return credentials(accountId).onItemOrFailure().transformToUni((c, unreadable) -> unreadable != null
                    ? refused(history, unreadable.getMessage())
                    : c == null ? refused(history, "unknown Matrix account '" + accountId + "'")
                    : loop(delivery, roomSend(delivery, c), history, maxAttempts, deadline, true));
        }
        String url = delivery.destination().pusher().url();
        Uni<String> refusal = urlGuard.cachedAllowed(url) ? Uni.createFrom().nullItem()
                : blocking(() -> urlGuard.refusal(url), "URL check");
        return refusal.flatMap(reason -> reason != null ? refused(history, reason)
                : loop(delivery, timed(delivery, () -> pushSender.send(delivery)), history, maxAttempts, deadline, false));
    }

    private Supplier<Uni<SendResult>> roomSend(Delivery delivery, Credentials credentials) {
        return timed(delivery, () -> limits.limited(credentials.homeserver(), credentials.accountId(),
                () -> roomSender.send(delivery, credentials)));
    }

    private Uni<Attempted> loop(Delivery delivery, Supplier<Uni<SendResult>> send, List<AttemptRecord> history,
            int maxAttempts, Instant deadline, boolean mayRelogin) {
        return send.get().flatMap(result -> {
            history.add(AttemptRecord.of(result));
            switch (result.outcome()) {
                case UNKNOWN_TOKEN:
                    if (!mayRelogin) {
                        return done(result, history);
                    }
                    String accountId = delivery.destination().matrixRoom().account();
                    return blocking(() -> login.relogin(accountId).orElse(null), "re-login").flatMap(fresh -> fresh == null
                            ? done(SendResult.rejected(401, result.reason()
                                    + " (no stored password, or logging in again failed)"), history)
                            : loop(delivery, roomSend(delivery, fresh), history, maxAttempts, deadline, false));
                case RETRY:
                    break;
                default:
                    return done(result, history);
            }
            Duration wait = result.retryAfter() != null ? result.retryAfter() : backoff.delay(history.size());
            if (Instant.now().plus(wait).isAfter(deadline)) {
                return done(SendResult.rejected(result.status() == null ? 0 : result.status(),
                        "gave up at the deadline after " + history.size() + " attempts; last: " + result.reason()), history);
            }
            if (history.size() >= maxAttempts) {
                return done(result, history); // still RETRY: the caller parks it
            }
            LOG.debugf("delivery %s: attempt %d failed (%s); next in %d ms", delivery.id(), history.size(),
                    result.reason(), wait.toMillis());
            count("herald.delivery.retries", kind(delivery), null);
            return Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                    .flatMap(ignored -> loop(delivery, send, history, maxAttempts, deadline, mayRelogin));
        });
    }

    private Uni<Void> park(Message<?> message, Delivery delivery, List<AttemptRecord> history, Instant notBefore) {
        String destination = delivery.destination().key();
        RecordHeaders headers = new RecordHeaders();
        headers.add(NOT_BEFORE, Long.toString(notBefore.toEpochMilli()).getBytes(StandardCharsets.UTF_8));
        headers.add(HISTORY, Json.encode(history).getBytes(StandardCharsets.UTF_8));
        Message<String> parkedRecord = Message.of(Json.encode(delivery)).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(destination).withHeaders(headers).build());
        count("herald.deliveries.parked", kind(delivery), null);
        return blocking(() -> {
            parked.park(destination);
            return null;
        }, "park")
                .flatMap(ignored -> untilSent(retryTopic, parkedRecord))
                .flatMap(ignored -> history.isEmpty() ? Uni.createFrom().voidItem()
                        : Uni.createFrom().completionStage(log.record(delivery, DeliveryLogEntry.RETRYING,
                                new Attempted(lastOf(history), history))))
                .flatMap(ignored -> Uni.createFrom().completionStage(message.ack()));
    }

    private Uni<Void> finish(Message<?> message, Delivery delivery, Attempted attempted) {
        SendResult result = attempted.result();
        String state = switch (result.outcome()) {
            case DELIVERED -> DeliveryLogEntry.DELIVERED;
            case PUSHKEY_REJECTED -> DeliveryLogEntry.REJECTED;
            default -> DeliveryLogEntry.DEAD;
        };
        count("herald.deliveries", kind(delivery), state);
        Uni<Void> logged = Uni.createFrom().completionStage(log.record(delivery, state, attempted));
        return switch (result.outcome()) {
            case DELIVERED -> logged.flatMap(ignored -> Uni.createFrom().completionStage(message.ack()));
            case PUSHKEY_REJECTED -> logged
                    .flatMap(ignored -> untilSent(rejectedPushers, rejectedPusher(delivery)))
                    .flatMap(ignored -> Uni.createFrom().completionStage(message.ack()));
            default -> blocking(() -> {
                deadLetters.store(delivery, attempted);
                return null;
            }, "dead-letter store").flatMap(ignored -> logged).flatMap(ignored -> {
                LOG.warnf("delivery %s to %s: dead letter: %s", delivery.id(), delivery.destination().key(),
                        result.reason());
                return Uni.createFrom().completionStage(message.nack(new DeliveryFailedException(result.reason())));
            });
        };
    }

    /**
     * Publishes, retrying while Kafka does not acknowledge: the record being handled stays unacknowledged meanwhile,
     * so giving up would leave it neither done nor re-delivered until a restart.
     */
    private static Uni<Void> untilSent(MutinyEmitter<String> emitter, Message<String> record) {
        return Uni.createFrom().deferred(() -> emitter.sendMessage(record))
                .onFailure().invoke(e -> LOG.warnf("publishing failed, retrying: %s", e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(30)).indefinitely();
    }

    private Uni<Credentials> credentials(String accountId) {
        Credentials cached = accounts.cached(accountId).orElse(null);
        return cached != null ? Uni.createFrom().item(cached)
                : blocking(() -> accounts.find(accountId).orElse(null), "account lookup");
    }

    private Supplier<Uni<SendResult>> timed(Delivery delivery, Supplier<Uni<SendResult>> send) {
        return () -> {
            long start = System.nanoTime();
            return send.get().invoke(result -> meter("herald.delivery.attempt", kind(delivery), result.outcome().name(),
                    () -> Timer.builder("herald.delivery.attempt")
                            .description("time of one send attempt, from the request to the answer")
                            .tag("kind", kind(delivery))
                            .tag("outcome", result.outcome().name().toLowerCase(java.util.Locale.ROOT))
                            .publishPercentileHistogram()
                            .register(metrics)).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS));
        };
    }

    /** Meters are looked up once per name and tags, not built again on every delivery. */
    @SuppressWarnings("unchecked")
    private <M> M meter(String name, String tag1, String tag2, Supplier<M> create) {
        return (M) meters.computeIfAbsent(name + '|' + tag1 + '|' + tag2, k -> create.get());
    }

    private void count(String name, String kind, String outcome) {
        io.micrometer.core.instrument.Counter counter = outcome == null
                ? meter(name, kind, "", () -> metrics.counter(name, "kind", kind))
                : meter(name, kind, outcome, () -> metrics.counter(name, "outcome", outcome, "kind", kind));
        counter.increment();
    }

    private Duration retryWait(Attempted attempted) {
        SendResult last = attempted.result();
        return last.retryAfter() != null ? last.retryAfter() : backoff.delay(attempted.attempts());
    }

    private Instant deadline(Delivery delivery) {
        Instant byConfig = (delivery.createdAt() == null ? Instant.now() : delivery.createdAt()).plus(maxRetryDuration);
        return delivery.deadline() != null && delivery.deadline().isBefore(byConfig) ? delivery.deadline() : byConfig;
    }

    private static Uni<Attempted> done(SendResult result, List<AttemptRecord> history) {
        return Uni.createFrom().item(new Attempted(result, history));
    }

    private static Uni<Attempted> refused(List<AttemptRecord> history, String reason) {
        SendResult result = SendResult.rejected(0, reason);
        history.add(AttemptRecord.of(result));
        return done(result, history);
    }

    private static SendResult lastOf(List<AttemptRecord> history) {
        AttemptRecord last = history.get(history.size() - 1);
        return SendResult.retry(last.status(), last.detail(), null);
    }

    private static Message<String> rejectedPusher(Delivery delivery) {
        Destination.Pusher p = delivery.destination().pusher();
        return Message.of(Json.encode(new RejectedPusher(p.appId(), p.pushkey(), p.url(), delivery.id())))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(p.pushkey()).build());
    }

    static String kind(Delivery delivery) {
        return delivery.destination().matrixRoom() != null ? "matrix_room" : "push";
    }

    /**
     * Runs blocking work (PostgreSQL, DNS) on a worker thread. Its trouble is transient: retried, never turned into
     * a dead letter (the record's offset simply stays uncommitted meanwhile).
     */
    static <T> Uni<T> blocking(Supplier<T> work, String what) {
        // Transient trouble (database, network) is retried; a secret this key cannot open fails at once.
        Predicate<Throwable> transientFailure = e -> !(e instanceof SecretBox.UnreadableSecretException);
        return Uni.createFrom().item(work)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure(transientFailure).invoke(e -> LOG.warnf("%s failed, retrying: %s", what, e.getMessage()))
                .onFailure(transientFailure).retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(30))
                .indefinitely();
    }
}

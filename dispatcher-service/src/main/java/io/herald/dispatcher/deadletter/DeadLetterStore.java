package io.herald.dispatcher.deadletter;

import io.herald.dispatcher.send.AttemptRecord;
import io.herald.common.Delivery;
import io.herald.common.Json;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Keeps dead letters in PostgreSQL and replays or purges them. */
@ApplicationScoped
public class DeadLetterStore {

    /**
     * Filters of the list, replay and purge operations; null fields do not filter. {@code tenant} is the caller's
     * scope, not a filter the caller chose: it does not count for {@link #isEmpty()}.
     */
    public record Filter(String room, String destination, String kind, String reason, Duration olderThan,
            Duration newerThan, String tenant) {
        public boolean isEmpty() {
            return room == null && destination == null && kind == null && reason == null && olderThan == null
                    && newerThan == null;
        }
    }

    private final MutinyEmitter<String> deliveries;
    private final Duration maxRetryDuration;

    DeadLetterStore(@Channel("deliveries-replay") MutinyEmitter<String> deliveries,
            io.herald.dispatcher.DispatcherConfig config) {
        this.deliveries = deliveries;
        this.maxRetryDuration = config.maxRetryDuration();
    }

    /**
     * Stores (or replaces) the dead letter of a delivery. Blocking. Fails with the database's exception; a data error
     * (see {@code SqlErrors}) means this row will never be stored.
     */
    @Transactional
    public void store(Delivery delivery, List<AttemptRecord> history, String reason, Integer lastStatus) {
        DeadLetter letter = DeadLetter.findById(delivery.id());
        if (letter == null) {
            letter = new DeadLetter();
            letter.deliveryId = delivery.id();
        }
        letter.notificationId = delivery.notificationId();
        letter.roomKey = delivery.room();
        letter.destination = delivery.destination().key();
        letter.destinationKind = delivery.destination().matrixRoom() != null ? "matrix_room" : "push";
        letter.tenant = delivery.tenant();
        letter.payload = Json.encode(delivery);
        letter.reason = reason;
        letter.lastStatus = lastStatus;
        letter.attempts = history.size();
        letter.history = Json.encode(history);
        letter.deadAt = Instant.now();
        letter.acceptedAt = delivery.acceptedAt() != null ? delivery.acceptedAt() : delivery.createdAt();
        letter.persist();
        letter.flush(); // a data error surfaces here, inside the transaction, as itself
    }

    @Transactional
    public List<DeadLetter> list(Filter filter, int limit) {
        Query q = query(filter);
        return DeadLetter.<DeadLetter>find(q.where, Sort.descending("deadAt"), q.parameters).page(0, limit).list();
    }

    /** The order replays keep: when each notification was accepted (then when it died), oldest first. */
    static final Sort REPLAY_ORDER = Sort.ascending("acceptedAt", "deadAt", "deliveryId");

    @Transactional
    public List<String> ids(Filter filter) {
        Query q = query(filter);
        return DeadLetter.<DeadLetter>find(q.where, REPLAY_ORDER, q.parameters).project(IdOnly.class)
                .list().stream().map(IdOnly::deliveryId).toList();
    }

    @Transactional
    public List<DeadLetter> findAll(List<String> ids) {
        return DeadLetter.list("deliveryId in ?1", REPLAY_ORDER, ids);
    }

    @io.quarkus.runtime.annotations.RegisterForReflection
    public record IdOnly(String deliveryId) {
    }

    @Transactional
    public long count(Filter filter) {
        Query q = query(filter);
        return DeadLetter.count(q.where, q.parameters);
    }

    /**
     * Publishes the selected dead letters back to {@code herald.deliveries}, one after the other in the order given
     * (each destination's in the order its notifications were accepted), with the same delivery id (so Matrix still
     * deduplicates), a fresh deadline and no attempts, then removes them. Returns how many were replayed.
     */
    public int replay(List<DeadLetter> letters) {
        int replayed = 0;
        for (DeadLetter letter : letters) {
            Delivery dead = Json.decodeDelivery(letter.payload);
            Instant now = Instant.now();
            Delivery fresh = dead.again(now, now.plus(maxRetryDuration));
            deliveries.sendMessageAndAwait(Message.of(Json.encode(fresh))
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(fresh.destination().key()).build()));
            delete(letter.deliveryId);
            replayed++;
        }
        return replayed;
    }

    @Transactional
    public DeadLetter find(String deliveryId) {
        return DeadLetter.findById(deliveryId);
    }

    @Transactional
    public boolean delete(String deliveryId) {
        return DeadLetter.deleteById(deliveryId);
    }

    @Transactional
    public long purge(Filter filter) {
        Query q = query(filter);
        return DeadLetter.delete(q.where, q.parameters);
    }

    private record Query(String where, Parameters parameters) {
    }

    private static Query query(Filter f) {
        List<String> where = new ArrayList<>();
        Parameters p = new Parameters();
        if (f.tenant() != null) {
            where.add("tenant = :tenant");
            p.and("tenant", f.tenant());
        }
        if (f.room() != null) {
            where.add("roomKey = :room");
            p.and("room", f.room());
        }
        if (f.destination() != null) {
            where.add("destination = :destination");
            p.and("destination", f.destination());
        }
        if (f.kind() != null) {
            where.add("destinationKind = :kind");
            p.and("kind", f.kind());
        }
        if (f.reason() != null) {
            where.add("lower(reason) like :reason");
            p.and("reason", "%" + f.reason().toLowerCase(Locale.ROOT).replace("%", "\\%").replace("_", "\\_") + "%");
        }
        if (f.olderThan() != null) {
            where.add("deadAt < :olderThan");
            p.and("olderThan", Instant.now().minus(f.olderThan()));
        }
        if (f.newerThan() != null) {
            where.add("deadAt > :newerThan");
            p.and("newerThan", Instant.now().minus(f.newerThan()));
        }
        return new Query(where.isEmpty() ? "1 = 1" : String.join(" and ", where), p);
    }
}

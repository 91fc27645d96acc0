package io.herald.ingest.notification;

import io.herald.common.Limits;
import io.herald.common.MatrixEvent;
import io.herald.common.NotificationEvent;
import io.herald.common.problem.Problem;
import io.herald.ingest.HttpProblemException;
import io.herald.ingest.auth.ApiKey;
import io.herald.ingest.idempotency.IdempotencyStore;
import io.herald.telemetry.LogFields;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Where every endpoint ends: the events get ids, the Idempotency-Key is claimed, the records are published and the
 * key is remembered only once Kafka acknowledged them all.
 *
 * <p>Without an Idempotency-Key nothing here blocks: the request waits for the broker's acknowledgement without
 * holding a thread. With one, the claim lives in PostgreSQL (JDBC), so that path runs on a worker thread.
 */
@ApplicationScoped
public class Intake {

    private static final Logger LOG = Logger.getLogger(Intake.class);
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

    private final NotificationPublisher publisher;
    private final IdempotencyStore idempotency;
    private final IntakeSpans intakeSpans;

    Intake(NotificationPublisher publisher, IdempotencyStore idempotency, IntakeSpans intakeSpans) {
        this.publisher = publisher;
        this.idempotency = idempotency;
        this.intakeSpans = intakeSpans;
    }

    /**
     * An event to publish, where it came from ({@code http}, {@code alertmanager}, …), its priority (or null) and the
     * account to post as (null: the key's, if it has one; edits and redactions take their original's).
     */
    public record Draft(MatrixEvent event, String source, Priority priority, String account) {
        public Draft(MatrixEvent event, String source) {
            this(event, source, null, null);
        }

        public Draft(MatrixEvent event, String source, Priority priority) {
            this(event, source, priority, null);
        }
    }

    /**
     * Publishes the drafts and returns their notification ids; with an idempotency key already used for the same
     * request, returns the ids of that first request and publishes nothing.
     *
     * @param fingerprint what makes two requests "the same": a retry with another body under the same key is a 422
     *     (computed only when there is an Idempotency-Key)
     */
    public Uni<List<String>> accept(ApiKey key, String room, String idempotencyKey, Supplier<String> fingerprint,
            List<Draft> drafts) {
        if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            return Uni.createFrom().failure(new HttpProblemException(new Problem("about:blank", "Bad Request", 400,
                    "Idempotency-Key: must be 1-255 printable ASCII characters",
                    List.of(new Problem.FieldError("Idempotency-Key", "must be 1-255 printable ASCII characters"))),
                    Map.of()));
        }
        String requestHash = idempotencyKey == null ? null : sha256(room + "\n" + fingerprint.get());
        List<String> ids = new ArrayList<>(drafts.size());
        List<NotificationEvent> events = new ArrayList<>(drafts.size());
        Instant now = Instant.now();
        for (int i = 0; i < drafts.size(); i++) {
            String id = idempotencyKey == null ? UUID.randomUUID().toString()
                    : notificationId(key.tenant(), idempotencyKey, requestHash, i);
            ids.add(id);
            Draft draft = drafts.get(i);
            events.add(new NotificationEvent(id, room, Labels.apply(draft.event(), key.label()), now, draft.source(),
                    draft.priority() == null ? null : draft.priority().wireName(),
                    draft.account() != null ? draft.account() : key.account()));
        }
        for (NotificationEvent event : events) {
            List<Limits.Violation> violations = event.violations();
            if (!violations.isEmpty()) {
                return Uni.createFrom().failure(outsideTheContract(violations));
            }
        }
        // The request's span, taken here: the idempotent path publishes from a worker thread.
        Context trace = intakeSpans.current();
        if (idempotencyKey == null) {
            return publisher.publish(events, key.tenant(), key.id(), trace).replaceWith(ids);
        }
        return Uni.createFrom().item(() -> acceptOnce(key, idempotencyKey, requestHash, ids, events, trace))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /**
     * The request would make a record the rules-service dead-letters (docs/kafka-contract.md, "Limits"): refused here,
     * naming the record's fields. The endpoints check their own fields first, so this mostly catches what only shows
     * once the event is rendered: 413 when it is larger than a Matrix event may be, else 400.
     */
    private static HttpProblemException outsideTheContract(List<Limits.Violation> violations) {
        List<Problem.FieldError> errors = violations.stream()
                .map(v -> new Problem.FieldError(v.field(), v.message())).toList();
        boolean tooLarge = violations.stream().anyMatch(v -> v.field().equals("event"));
        Response.Status status = tooLarge ? Response.Status.REQUEST_ENTITY_TOO_LARGE : Response.Status.BAD_REQUEST;
        String detail = "the Matrix event this request makes is outside Herald's limits: "
                + String.join("; ", violations.stream().map(Limits.Violation::toString).toList());
        return new HttpProblemException(new Problem("about:blank", status.getReasonPhrase(), status.getStatusCode(),
                detail, errors), Map.of());
    }

    /**
     * The id of the {@code index}-th notification of a request made with an Idempotency-Key: derived from the tenant,
     * the key and the request, not random. A request answered 503 may still reach Kafka afterwards (its record was
     * handed to the producer, which keeps trying after the publish timeout); the client's retry then publishes the same
     * notification again, and because both records carry the same id, they make the same deliveries (same delivery ids,
     * same Matrix txnIds), which the homeserver and the delivery log deduplicate: no second message in the room.
     */
    static String notificationId(String tenant, String idempotencyKey, String requestHash, int index) {
        return UUID.nameUUIDFromBytes((tenant + "\n" + idempotencyKey + "\n" + requestHash + "\n" + index)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Blocking: claims the key (concurrent retries wait on its row), publishes, then remembers the ids. */
    private List<String> acceptOnce(ApiKey key, String idempotencyKey, String requestHash, List<String> ids,
            List<NotificationEvent> events, Context trace) {
        IdempotencyStore.Outcome outcome;
        try {
            outcome = idempotency.claim(key.tenant(), idempotencyKey, requestHash, ids);
        } catch (SQLException e) {
            LOG.warnf("idempotency store unavailable: %s", e.getMessage());
            throw new HttpProblemException(Problem.of(Response.Status.SERVICE_UNAVAILABLE,
                    "the idempotency store is unavailable; retry later"), Map.of("Retry-After", "5"));
        }
        if (outcome.existing() != null) {
            if (!outcome.existing().requestHash().equals(requestHash)) {
                throw new HttpProblemException(new Problem("about:blank", "Unprocessable Content", 422,
                        "this Idempotency-Key was already used for a different request", null), Map.of());
            }
            return outcome.existing().ids();
        }
        try (IdempotencyStore.Claim claim = outcome.claim()) {
            publisher.publishAndWait(events, key.tenant(), key.id(), trace);
            try {
                claim.commit();
            } catch (SQLException e) {
                // Kafka has the records: the request succeeded, only a retry would publish them again.
                try (LogFields fields = LogFields.notification(ids.get(0), events.get(0).room(),
                        Span.fromContext(trace).getSpanContext())) {
                    LOG.warnf("notifications %s published but their idempotency key could not be saved: %s", ids,
                            e.getMessage());
                }
            }
        }
        return ids;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

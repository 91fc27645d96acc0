package io.herald.dispatcher.delivery;

import io.herald.dispatcher.send.AttemptRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.herald.common.Delivery;
import io.herald.dispatcher.Auth;
import io.herald.common.Destination;
import io.herald.common.MatrixEvent;
import io.herald.dispatcher.send.SendResult;
import io.herald.dispatcher.storage.BatchWriter;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The delivery log's batched writer against the real PostgreSQL: every row of a batch, histories that only grow, and a
 * row PostgreSQL refuses failing alone (never retried, never holding up the rows around it).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class DeliveryLogTest {

    @Inject
    DeliveryLog log;

    @Test
    void oneDeliveryWrittenTwiceKeepsBothAttemptsInOrder() throws Exception {
        // Parked, then delivered; submitted back to back, so usually in one batch.
        Delivery twice = delivery();
        Delivery once = delivery();
        AttemptRecord failed = new AttemptRecord(Instant.parse("2026-12-01T10:00:00Z"), 503, "retry", "503 busy");
        AttemptRecord ok = new AttemptRecord(Instant.parse("2026-12-01T10:00:05Z"), 200, "delivered", null);
        CompletableFuture.allOf(
                log.record(twice, "retrying", List.of(failed), new SendResult.Retry(503, "503 busy", null, true)).toCompletableFuture(),
                log.record(once, "delivered", List.of(ok), new SendResult.Delivered(200, "$once", null)).toCompletableFuture(),
                log.record(twice, "delivered", List.of(failed, ok), new SendResult.Delivered(200, "$twice", null))
                        .toCompletableFuture()).get(30, TimeUnit.SECONDS);

        Auth.admin().get("/v1/deliveries/" + twice.id()).then().statusCode(200)
                .body("state", equalTo("delivered"))
                .body("matrix_event_id", equalTo("$twice"))
                .body("attempts", equalTo(2))
                .body("history.status", contains(503, 200));
        Auth.admin().get("/v1/deliveries/" + once.id()).then().statusCode(200)
                .body("state", equalTo("delivered"))
                .body("attempts", equalTo(1))
                .body("last_error", nullValue());
    }

    @Test
    void anAttemptWrittenAgainWithTheTimeOfItsNextTryIsStillOneAttempt() throws Exception {
        // A quick retry writes its attempt with the outcome; the same attempt comes back later carrying the time of the
        // next try (AttemptRecord.nextAttemptAt), and once more with the delivery's final outcome.
        Delivery d = delivery();
        Instant at = Instant.parse("2026-12-01T11:00:00.123456Z");
        AttemptRecord limited = new AttemptRecord(at, 429, "retry", "429 limited");
        AttemptRecord limitedWithNext = new AttemptRecord(at, 429, "retry", "429 limited", at.plusSeconds(2));
        AttemptRecord ok = new AttemptRecord(at.plusSeconds(2), 200, "delivered", null);
        SendResult.Retry retry = new SendResult.Retry(429, "429 limited", null, true);
        log.record(d, "retrying", List.of(limited), retry).toCompletableFuture().get(30, TimeUnit.SECONDS);
        log.record(d, "retrying", List.of(limitedWithNext), retry).toCompletableFuture().get(30, TimeUnit.SECONDS);
        log.record(d, "delivered", List.of(limitedWithNext, ok), new SendResult.Delivered(200, "$d", null))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);

        Auth.admin().get("/v1/deliveries/" + d.id()).then().statusCode(200)
                .body("attempts", equalTo(2))
                .body("history.status", contains(429, 200))
                .body("history[0].next_attempt_at", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void everyRowOfAFullBatchArrivesWithItsOutcome() throws Exception {
        List<Delivery> deliveries = new ArrayList<>();
        List<CompletableFuture<Void>> written = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Delivery d = delivery();
            deliveries.add(d);
            SendResult last = i % 2 == 0 ? new SendResult.Delivered(200, "$e" + i, null)
                    : SendResult.rejected(403, "403 M_FORBIDDEN: not in room");
            written.add(log.record(d, i % 2 == 0 ? "delivered" : "dead",
                    List.of(new AttemptRecord(Instant.now(), last.status(), "x", null)), last).toCompletableFuture());
        }
        CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        Auth.admin().get("/v1/deliveries/" + deliveries.get(498).id()).then().statusCode(200)
                .body("state", equalTo("delivered")).body("matrix_event_id", equalTo("$e498"));
        Auth.admin().get("/v1/deliveries/" + deliveries.get(499).id()).then().statusCode(200)
                .body("state", equalTo("dead")).body("last_status", equalTo(403))
                .body("last_error", equalTo("403 M_FORBIDDEN: not in room"));
    }

    @Test
    void aRowPostgresRefusesFailsAloneAndTheRowsAroundItAreWritten() throws Exception {
        // Rows that could only come from a bug or a producer bypassing validation: ids too long, a NUL in a text.
        Delivery before = delivery();
        Delivery longId = withNotificationId("n".repeat(300));
        Delivery nul = withNotificationId("bad\u0000id");
        Delivery after = delivery();
        SendResult ok = new SendResult.Delivered(200, "$x", null);
        List<AttemptRecord> history = List.of(new AttemptRecord(Instant.now(), 200, "delivered", null));

        CompletableFuture<Void> first = log.record(before, "delivered", history, ok).toCompletableFuture();
        CompletableFuture<Void> tooLong = log.record(longId, "delivered", history, ok).toCompletableFuture();
        CompletableFuture<Void> withNul = log.record(nul, "delivered", history, ok).toCompletableFuture();
        CompletableFuture<Void> last = log.record(after, "delivered", history, ok).toCompletableFuture();

        first.get(30, TimeUnit.SECONDS);
        last.get(30, TimeUnit.SECONDS);
        for (CompletableFuture<Void> bad : List.of(tooLong, withNul)) {
            assertThatThrownBy(bad::join).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(BatchWriter.BadRowException.class);
        }
        assertThat(tooLong.handle((v, e) -> e.getCause().getMessage()).join()).contains("too long");
        Auth.admin().get("/v1/deliveries/" + before.id()).then().statusCode(200).body("state", equalTo("delivered"));
        Auth.admin().get("/v1/deliveries/" + after.id()).then().statusCode(200).body("state", equalTo("delivered"));
        // And the writer goes on: a later row is written too.
        Delivery later = delivery();
        log.record(later, "delivered", history, ok).toCompletableFuture().get(30, TimeUnit.SECONDS);
        Auth.admin().get("/v1/deliveries/" + later.id()).then().statusCode(200);
    }

    @Test
    void theLogIsSearchedByTextAndTimeAndTheTextIsNoPattern() throws Exception {
        String room = "search-" + UUID.randomUUID().toString().substring(0, 8);
        Delivery disk = inRoom(room, "NAS1: Disk FULL on /volume1");
        Delivery backup = inRoom(room, "backup finished (100% done)");
        Delivery other = inRoom(room, "nothing to see");
        for (Delivery d : List.of(disk, backup, other)) {
            log.record(d, "delivered", List.of(), new SendResult.Delivered(200, "$e", null)).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        }
        Auth.admin().queryParam("room", room).queryParam("text", "disk full").get("/v1/deliveries").then()
                .statusCode(200).body("delivery_id", contains(disk.id()))
                .body("summary", contains("NAS1: Disk FULL on /volume1"));
        // % and _ are characters, not wildcards
        Auth.admin().queryParam("room", room).queryParam("text", "100%").get("/v1/deliveries").then()
                .body("delivery_id", contains(backup.id()));
        Auth.admin().queryParam("room", room).queryParam("text", "o_e").get("/v1/deliveries").then()
                .body("delivery_id", org.hamcrest.Matchers.empty());
        // a window that ended before they were written holds none of them; one that starts before holds all three
        Auth.admin().queryParam("room", room).queryParam("until", "2020-01-01T00:00:00Z").get("/v1/deliveries").then()
                .body("delivery_id", org.hamcrest.Matchers.empty());
        Auth.admin().queryParam("room", room).queryParam("since", Instant.now().minusSeconds(600).toString())
                .get("/v1/deliveries").then().body("delivery_id", org.hamcrest.Matchers.hasSize(3));
        Auth.admin().queryParam("since", "yesterday").get("/v1/deliveries").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("ISO-8601"));
    }

    @Test
    void theSummaryIsTheStartOfTheBodyCutWholeCharactersOnly() {
        assertThat(DeliveryLog.summary(inRoom("ops", "  disk full  "))).isEqualTo("disk full");
        String emoji = "\uD83D\uDCBE"; // one character, two chars
        String summary = DeliveryLog.summary(inRoom("ops", "x".repeat(198) + emoji.repeat(10_000)));
        assertThat(summary).hasSize(199).startsWith("x".repeat(198)).endsWith("…");
        assertThat(Character.isHighSurrogate(summary.charAt(summary.length() - 2))).isFalse();
        assertThat(DeliveryLog.summary(inRoom("ops", "y".repeat(1_000_000)))).hasSize(200).endsWith("…");
    }

    private static Delivery inRoom(String room, String body) {
        return new Delivery(UUID.randomUUID().toString(), UUID.randomUUID().toString(), room,
                Destination.room("log-test", "!room:example.org"),
                MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", body)), Map.of(), "high",
                0, null, Instant.now());
    }

    private static Delivery delivery() {
        return withNotificationId(UUID.randomUUID().toString());
    }

    private static Delivery withNotificationId(String notification) {
        Destination destination = Destination.room("log-test", "!room:example.org");
        return new Delivery(UUID.randomUUID().toString(), notification, "ops", destination,
                MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", "x")), Map.of(), "high",
                0, null, Instant.now());
    }
}

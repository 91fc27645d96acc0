package io.herald.dispatcher.delivery;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.MatrixEvent;
import io.herald.dispatcher.Auth;
import io.herald.dispatcher.delivery.DeliveryLog.Pending;
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
import org.junit.jupiter.api.Test;

/** The delivery log's batched write against the real PostgreSQL: every row of a batch, histories that only grow. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class DeliveryLogTest {

    @Inject
    DeliveryLog log;

    @Test
    void aBatchHoldingOneDeliveryTwiceKeepsBothAttemptsInOrder() throws Exception {
        // Sent and parked, then re-published and delivered, both in the same batch.
        Delivery twice = delivery();
        Delivery once = delivery();
        AttemptRecord failed = new AttemptRecord(Instant.parse("2026-12-01T10:00:00Z"), 503, "retry", "503 busy");
        AttemptRecord ok = new AttemptRecord(Instant.parse("2026-12-01T10:00:05Z"), 200, "delivered", null);
        List<Pending> batch = List.of(
                pending(twice, "retrying", new Attempted(SendResult.retry(503, "503 busy", null), List.of(failed))),
                pending(once, "delivered", new Attempted(SendResult.delivered(200, "$once"), List.of(ok))),
                pending(twice, "delivered", new Attempted(SendResult.delivered(200, "$twice"), List.of(ok))));

        log.write(batch);

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
    void everyRowOfAFullBatchArrivesWithItsOutcome() throws Exception {
        List<Pending> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            batch.add(pending(delivery(), i % 2 == 0 ? "delivered" : "dead", new Attempted(i % 2 == 0
                    ? SendResult.delivered(200, "$e" + i) : SendResult.rejected(403, "403 M_FORBIDDEN: not in room"),
                    List.of(new AttemptRecord(Instant.now(), i % 2 == 0 ? 200 : 403, "x", null)))));
        }

        log.write(batch);

        Auth.admin().get("/v1/deliveries/" + batch.get(498).delivery().id()).then().statusCode(200)
                .body("state", equalTo("delivered")).body("matrix_event_id", equalTo("$e498"));
        Auth.admin().get("/v1/deliveries/" + batch.get(499).delivery().id()).then().statusCode(200)
                .body("state", equalTo("dead")).body("last_status", equalTo(403))
                .body("last_error", equalTo("403 M_FORBIDDEN: not in room"));
    }

    private static Delivery delivery() {
        String notification = UUID.randomUUID().toString();
        Destination destination = Destination.room("log-test", "!room:example.org");
        return new Delivery(Delivery.idFor(notification, destination), notification, "ops", destination,
                MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", "x")), Map.of(), "high",
                0, null, Instant.now());
    }

    private static Pending pending(Delivery delivery, String state, Attempted attempted) {
        return new Pending(delivery, state, attempted, new CompletableFuture<>());
    }
}

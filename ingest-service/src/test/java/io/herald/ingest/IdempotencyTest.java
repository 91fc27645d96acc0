package io.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import javax.sql.DataSource;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class IdempotencyTest {

    private static ExtractableResponse<Response> post(TestKeys.Key key, String idempotencyKey, String body) {
        return given().header("Authorization", key.bearer()).header("Idempotency-Key", idempotencyKey)
                .contentType("application/json").body(body).post("/v1/rooms/ops/notifications").then().extract();
    }

    @Test
    void aRetryAnswersTheSameIdAndPublishesNothingNew() {
        TestKeys.Key key = TestKeys.any();
        String marker = "idem-" + UUID.randomUUID();
        String body = "{\"body\":\"" + marker + "\"}";
        String idempotencyKey = UUID.randomUUID().toString();
        ExtractableResponse<Response> first = post(key, idempotencyKey, body);
        ExtractableResponse<Response> second = post(key, idempotencyKey, body);
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(second.<String>path("id")).isEqualTo(first.path("id"));

        // a later request of the same key fences the check: everything before it had its chance to arrive
        String fence = "fence-" + UUID.randomUUID();
        post(key, UUID.randomUUID().toString(), "{\"body\":\"" + fence + "\"}");
        Records.await(fence, 1);
        assertThat(Records.all(marker)).hasSize(1);

        // another key of another tenant has its own idempotency keys
        ExtractableResponse<Response> other = post(TestKeys.any(), idempotencyKey, body);
        assertThat(other.statusCode()).isEqualTo(202);
        assertThat(other.<String>path("id")).isNotEqualTo(first.path("id"));
    }

    @Test
    void twentyConcurrentRetriesPublishOnceAndAllAnswerOneId() throws Exception {
        TestKeys.Key key = TestKeys.any();
        String marker = "race-" + UUID.randomUUID();
        String body = "{\"subject\":\"race\",\"body\":\"" + marker + "\"}";
        String idempotencyKey = "race-" + UUID.randomUUID();
        int n = 20;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<ExtractableResponse<Response>>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit((Callable<ExtractableResponse<Response>>) () -> {
                    start.await();
                    return post(key, idempotencyKey, body);
                }));
            }
            start.countDown();
            List<ExtractableResponse<Response>> answers = new ArrayList<>();
            for (Future<ExtractableResponse<Response>> f : futures) {
                answers.add(f.get());
            }
            assertThat(answers).allSatisfy(a -> assertThat(a.statusCode()).isEqualTo(202));
            Set<String> ids = answers.stream().map(a -> a.<String>path("id")).collect(Collectors.toSet());
            assertThat(ids).hasSize(1);

            String fence = "fence-" + UUID.randomUUID();
            post(key, UUID.randomUUID().toString(), "{\"body\":\"" + fence + "\"}");
            Records.await(fence, 1);
            assertThat(Records.all(marker)).hasSize(1)
                    .allSatisfy(r -> assertThat(r.value()).contains(ids.iterator().next()));
        } finally {
            pool.shutdownNow();
        }
    }

    @Inject
    DataSource dataSource;

    @Test
    void anExpiredKeyIsTakenOverByTheNextRequest() throws Exception {
        TestKeys.Key key = TestKeys.any();
        String idempotencyKey = UUID.randomUUID().toString();
        String first = post(key, idempotencyKey, "{\"body\":\"old\"}").path("id");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE ingest.idempotency_keys SET created_at = now() - interval '25 hours' WHERE idempotency_key = ?")) {
            ps.setString(1, idempotencyKey);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        // past the 24 h retention the key is free again, even for another body
        ExtractableResponse<Response> again = post(key, idempotencyKey, "{\"body\":\"new\"}");
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.<String>path("id")).isNotEqualTo(first);
        assertThat(post(key, idempotencyKey, "{\"body\":\"new\"}").<String>path("id")).isEqualTo(again.path("id"));
    }

    @Test
    void theSameKeyForAnotherRequestIs422AndABadKeyIs400() {
        TestKeys.Key key = TestKeys.any();
        String idempotencyKey = UUID.randomUUID().toString();
        assertThat(post(key, idempotencyKey, "{\"body\":\"one\"}").statusCode()).isEqualTo(202);
        given().header("Authorization", key.bearer()).header("Idempotency-Key", idempotencyKey)
                .contentType("application/json").body("{\"body\":\"two\"}").post("/v1/rooms/ops/notifications")
                .then().statusCode(422).contentType("application/problem+json").body("status", equalTo(422));
        // same body, other room: another request too
        given().header("Authorization", key.bearer()).header("Idempotency-Key", idempotencyKey)
                .contentType("application/json").body("{\"body\":\"one\"}").post("/v1/rooms/other/notifications")
                .then().statusCode(422);
        given().header("Authorization", key.bearer()).header("Idempotency-Key", "x".repeat(300))
                .contentType("application/json").body("{\"body\":\"one\"}").post("/v1/rooms/ops/notifications")
                .then().statusCode(400).body("errors.field", hasItem("Idempotency-Key"));
    }

    @Test
    void webhooksAndEventsHonourTheKeyToo() {
        TestKeys.Key key = TestKeys.any();
        String idempotencyKey = UUID.randomUUID().toString();
        String event = "{\"type\":\"m.room.message\",\"content\":{\"msgtype\":\"m.text\",\"body\":\"" + idempotencyKey + "\"}}";
        List<String> first = given().header("Authorization", key.bearer()).header("Idempotency-Key", idempotencyKey)
                .contentType("application/json").body(event).post("/v1/rooms/ops/events")
                .then().statusCode(202).extract().path("ids");
        List<String> second = given().header("Authorization", key.bearer()).header("Idempotency-Key", idempotencyKey)
                .contentType("application/json").body(event).post("/v1/rooms/ops/events")
                .then().statusCode(202).extract().path("ids");
        assertThat(second).isEqualTo(first).hasSize(1);

        String alerts = AlertmanagerTest.payload("firing", "idem-" + idempotencyKey, 2);
        String amKey = UUID.randomUUID().toString();
        List<String> a = given().header("Authorization", key.bearer()).header("Idempotency-Key", amKey)
                .contentType("application/json").body(alerts).post("/v1/rooms/ops/webhooks/alertmanager")
                .then().statusCode(202).extract().path("ids");
        List<String> b = given().header("Authorization", key.bearer()).header("Idempotency-Key", amKey)
                .contentType("application/json").body(alerts).post("/v1/rooms/ops/webhooks/alertmanager")
                .then().statusCode(202).extract().path("ids");
        assertThat(a).hasSize(2).isEqualTo(b);
    }
}

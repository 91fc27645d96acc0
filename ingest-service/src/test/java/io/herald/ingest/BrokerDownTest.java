package io.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Kafka unreachable: 503 with Retry-After within the publish timeout, and the idempotency key is not kept. */
@QuarkusTest
@TestProfile(BrokerDownTest.NoBroker.class)
@WithTestResource(PostgresTestResource.class)
class BrokerDownTest {

    public static class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kafka.bootstrap.servers", "127.0.0.1:9",
                    "herald.ingest.publish-timeout", "1s",
                    "mp.messaging.outgoing.notifications.max.block.ms", "500");
        }
    }

    @Inject
    DataSource dataSource;

    @Test
    void answers503QuicklyAndForgetsTheIdempotencyKey() throws Exception {
        TestKeys.Key key = TestKeys.any();
        String idempotencyKey = UUID.randomUUID().toString();
        long start = System.nanoTime();
        Response response = given().header("Authorization", key.bearer()).header("Idempotency-Key", idempotencyKey)
                .contentType("application/json").body("{\"body\":\"nobody listens\"}").post("/v1/rooms/ops/notifications");
        long millis = (System.nanoTime() - start) / 1_000_000;
        response.then().statusCode(503).contentType("application/problem+json").header("Retry-After", "5");
        assertThat(millis).isLessThan(5_000);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM ingest.idempotency_keys WHERE idempotency_key = ?")) {
            ps.setString(1, idempotencyKey);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
        // the retry is not answered from a remembered success: it tries Kafka again
        given().header("Authorization", key.bearer()).header("Idempotency-Key", idempotencyKey)
                .contentType("application/json").body("{\"body\":\"nobody listens\"}").post("/v1/rooms/ops/notifications")
                .then().statusCode(503);
    }
}

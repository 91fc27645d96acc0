package io.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.herald.common.Json;
import io.herald.common.Topics;
import io.herald.common.changes.ChangeEvent;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A key revoked on another ingest instance stops working here when that instance's change event arrives on
 * {@code herald.changes}, not only when the cached key expires ({@code api-key-cache-ttl}, a minute).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ApiKeyChangesTest {

    @Inject
    DataSource dataSource;

    @Test
    void aKeyRevokedElsewhereIsRefusedOnceItsChangeEventArrives() throws Exception {
        TestKeys.Key key = TestKeys.any();
        post(key).then().statusCode(202); // verified and cached

        // the other instance revokes it in the database...
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE ingest.api_keys SET revoked_at = now() WHERE id = ?")) {
            ps.setString(1, key.id());
            ps.executeUpdate();
        }
        post(key).then().statusCode(202); // still trusted from the cache

        // ...and tells everyone
        ChangeEvent event = new ChangeEvent(ChangeEvent.Kind.API_KEY, key.id(), Instant.now(), "herald-ingest-other");
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.CHANGES, event.key(), Json.encode(event));
        await().atMost(Duration.ofSeconds(30)).until(() -> post(key).statusCode() == 401);
    }

    private static io.restassured.response.Response post(TestKeys.Key key) {
        return given().header("Authorization", key.bearer()).contentType("application/json")
                .body("{\"body\":\"change events\"}").post("/v1/rooms/ops/notifications");
    }
}

package io.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.herald.common.Limits;
import io.herald.common.NotificationEvent;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every intake path refuses what the rules-service would dead-letter (docs/kafka-contract.md, "Limits"), naming the
 * field, and publishes nothing; webhooks, whose senders cannot shorten what they post, are cut to fit instead.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ContractLimitsTest {

    private static TestKeys.Key key;

    @BeforeEach
    void key() {
        if (key == null) {
            key = TestKeys.any();
        }
    }

    private static RequestSpecification api() {
        return given().header("Authorization", key.bearer()).contentType("application/json");
    }

    @Test
    void eventTypesAndStateKeysOver255BytesOrWithControlCharactersAre400NamingTheField() {
        String marker = "limits-" + UUID.randomUUID();
        api().body("{\"type\":\"" + "t".repeat(256) + "\",\"content\":{\"m\":\"" + marker + "\"}}")
                .post("/v1/rooms/ops/events").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("type")).body("detail", containsString("at most 255 bytes"));
        api().body("{\"type\":\"m.room\\u0000message\",\"content\":{\"m\":\"" + marker + "\"}}")
                .post("/v1/rooms/ops/events").then().statusCode(400)
                .body("errors.field", hasItem("type")).body("detail", containsString("U+0000"));
        api().body("{\"type\":\"x\",\"state_key\":\"" + "é".repeat(128) + "\",\"content\":{\"m\":\"" + marker + "\"}}")
                .post("/v1/rooms/ops/events").then().statusCode(400).body("errors.field", hasItem("state_key"));
        assertThat(Records.all(marker)).isEmpty();
    }

    @Test
    void anEventThatOnlyGrowsOver64KibOnceItIsMadeIs413NamingTheEvent() {
        String marker = "limits-" + UUID.randomUUID();
        // the request is within max-event-size (65536); the record adds the key's sender
        String prefix = "{\"type\":\"m.room.message\",\"content\":{\"m\":\"" + marker + "\",\"body\":\"";
        String body = prefix + "x".repeat(65_536 - prefix.length() - 3) + "\"}}";
        assertThat(body).hasSize(65_536);
        api().body(body).post("/v1/rooms/ops/events").then().statusCode(413).contentType("application/problem+json")
                .body("errors[0].field", equalTo("event"))
                .body("detail", containsString("at most 65536 bytes as JSON"));

        // 32768 characters of '<' are 131 KB once escaped into formatted_body
        api().body("{\"subject\":\"" + marker + "\",\"body\":\"" + "<".repeat(32_768) + "\"}")
                .post("/v1/rooms/ops/notifications").then().statusCode(413).body("errors[0].field", equalTo("event"));
        assertThat(Records.all(marker)).isEmpty();
    }

    @Test
    void mentionsAndApiKeySendersMustBeMatrixUserIdsOfAtMost255Bytes() {
        String marker = "limits-" + UUID.randomUUID();
        api().body("{\"body\":\"" + marker + "\",\"mentions\":{\"user_ids\":[\"@a\\u0000b:example.org\"]}}")
                .post("/v1/rooms/ops/notifications").then().statusCode(400)
                .body("detail", containsString("must be a Matrix user id"));
        api().body("{\"body\":\"" + marker + "\",\"mentions\":{\"user_ids\":[\"@" + "a".repeat(250) + ":example.org\"]}}")
                .post("/v1/rooms/ops/notifications").then().statusCode(400);
        assertThat(Records.all(marker)).isEmpty();

        given().header("Authorization", TestKeys.ADMIN).contentType("application/json")
                .body("{\"tenant\":\"t\",\"rooms\":[\"*\"],\"sender\":\"@" + "é".repeat(127) + ":x.org\"}")
                .post("/v1/admin/api-keys").then().statusCode(400).body("errors.field", hasItem("sender"));
        given().header("Authorization", TestKeys.ADMIN).contentType("application/json")
                .body("{\"tenant\":\"t\",\"rooms\":[\"*\"],\"name\":\"n\\u0000\"}")
                .post("/v1/admin/api-keys").then().statusCode(400).body("errors.field", hasItem("name"));
        // ids a client types: a NUL is not an id, not a database error
        given().urlEncodingEnabled(false).header("Authorization", TestKeys.ADMIN).get("/v1/admin/api-keys/key_%00")
                .then().statusCode(404);
        given().urlEncodingEnabled(false).header("Authorization", TestKeys.ADMIN).delete("/v1/admin/api-keys/key_%00")
                .then().statusCode(404);
        given().urlEncodingEnabled(false).header("Authorization", TestKeys.ADMIN).get("/v1/admin/api-keys?tenant=%00")
                .then().statusCode(200).body("size()", equalTo(0));
        api().header("Idempotency-Key", "k".repeat(256)).body("{\"body\":\"" + marker + "\"}")
                .post("/v1/rooms/ops/notifications").then().statusCode(400)
                .body("errors.field", hasItem("Idempotency-Key"));
    }

    @Test
    void webhooksTooLargeForAMatrixEventAreCutToFit() {
        String marker = "limits-" + UUID.randomUUID();
        // the generic webhook keeps 32768 characters of the body: as '"' they are 196 KB once escaped
        api().body("{\"build\":{\"name\":\"" + marker + "\",\"message\":\"" + "\\\"".repeat(40_000) + "\"}}")
                .post("/v1/rooms/ci/webhooks/ci").then().statusCode(202);
        NotificationEvent generic = Records.one(marker);
        assertThat(generic.violations()).isEmpty();
        assertThat((String) generic.event().content().get("body")).endsWith("…").contains(marker);
        assertThat(Limits.encodedSize(generic.event())).isLessThanOrEqualTo(Limits.EVENT_MAX_BYTES);

        String alertMarker = "limits-" + UUID.randomUUID();
        String payload = AlertmanagerTest.payload("firing", alertMarker, 1)
                .replace("Only 3% left on /var", "<" + "&".repeat(100_000) + ">");
        api().body(payload).post("/v1/rooms/ops/webhooks/alertmanager").then().statusCode(202);
        NotificationEvent alert = Records.one(alertMarker);
        assertThat(alert.violations()).isEmpty();
        assertThat((String) alert.event().content().get("body")).contains("&&&…")
                .endsWith("http://prometheus.local/graph?g0.expr=disk1"); // the link is kept
    }
}

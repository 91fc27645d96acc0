package io.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;

import io.herald.common.NotificationEvent;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class EventsAndWebhooksTest {

    private static TestKeys.Key key;

    @BeforeEach
    void key() {
        if (key == null) {
            key = TestKeys.create("events", "@producer:example.org", List.of("*"), 100_000.0, 100_000);
        }
    }

    @Test
    void aMatrixShapedEventIsPublishedAsGivenWithTheKeysSender() {
        String marker = "event-" + UUID.randomUUID();
        String id = given().header("Authorization", key.bearer()).contentType("application/json")
                .body("{\"type\":\"org.example.build\",\"state_key\":\"main\",\"sender\":\"@spoof:evil\","
                        + "\"content\":{\"marker\":\"" + marker + "\",\"n\":3,\"m.mentions\":{\"user_ids\":[\"@bob:example.org\"]}}}")
                .post("/v1/rooms/ci/events").then().statusCode(202).extract().path("id");
        NotificationEvent event = Records.one(marker);
        assertThat(event.id()).isEqualTo(id);
        assertThat(event.room()).isEqualTo("ci");
        assertThat(event.event().type()).isEqualTo("org.example.build");
        assertThat(event.event().stateKey()).isEqualTo("main");
        assertThat(event.event().sender()).isEqualTo("@producer:example.org");
        assertThat(event.event().content()).containsEntry("marker", marker).containsEntry("n", 3)
                .containsEntry("m.mentions", Map.of("user_ids", List.of("@bob:example.org")));
    }

    @Test
    void invalidEventsAre400AndLargeOnes413() {
        given().header("Authorization", key.bearer()).contentType("application/json")
                .body("{\"content\":[],\"state_key\":5}").post("/v1/rooms/ci/events")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("type")).body("errors.field", hasItem("content"))
                .body("errors.field", hasItem("state_key"));
        given().header("Authorization", key.bearer()).contentType("application/json").body("{\"type\":")
                .post("/v1/rooms/ci/events").then().statusCode(400).body("detail", containsString("not valid JSON"));
        given().header("Authorization", key.bearer()).contentType("application/json").body("")
                .post("/v1/rooms/ci/events").then().statusCode(400);

        String big = "{\"type\":\"m.room.message\",\"content\":{\"body\":\"" + "x".repeat(70_000) + "\"}}";
        given().header("Authorization", key.bearer()).contentType("application/json").body(big)
                .post("/v1/rooms/ci/events").then().statusCode(413).contentType("application/problem+json");
        // beyond quarkus.http.limits.max-body-size the server refuses while the body streams in
        given().header("Authorization", key.bearer()).contentType("application/json")
                .body("{\"body\":\"" + "x".repeat(300_000) + "\"}")
                .post("/v1/rooms/ci/notifications").then().statusCode(413).contentType("application/problem+json")
                .body("detail", containsString("larger than"));
    }

    @Test
    void aGenericWebhookIsMappedByItsConfiguredPointers() {
        String marker = "hook-" + UUID.randomUUID();
        String id = given().header("Authorization", key.bearer()).contentType("application/json")
                .body("{\"build\":{\"name\":\"nightly\",\"message\":\"**failed** " + marker + " <b>x</b>\","
                        + "\"url\":\"https://ci.local/42\"},\"quiet\":true}")
                .post("/v1/rooms/ci/webhooks/ci").then().statusCode(202).extract().path("id");
        NotificationEvent event = Records.one(marker);
        assertThat(event.id()).isEqualTo(id);
        assertThat(event.source()).isEqualTo("webhook:ci");
        assertThat(event.event().content()).containsEntry("msgtype", "m.notice")
                .containsEntry("body", "nightly\n\n**failed** " + marker + " <b>x</b>\n\nhttps://ci.local/42");
        assertThat((String) event.event().content().get("formatted_body"))
                .contains("<strong>nightly</strong>", "<strong>failed</strong>", "&lt;b&gt;x&lt;/b&gt;",
                        "<a href=\"https://ci.local/42\">")
                .doesNotContain("<b>");
    }

    @Test
    void unknownWebhooksAre404AndMissingBodies400() {
        given().header("Authorization", key.bearer()).contentType("application/json").body("{}")
                .post("/v1/rooms/ci/webhooks/nope").then().statusCode(404).contentType("application/problem+json");
        given().header("Authorization", key.bearer()).contentType("application/json")
                .body("{\"build\":{\"name\":\"no message\"}}")
                .post("/v1/rooms/ci/webhooks/ci").then().statusCode(400).body("errors.field", hasItem("body"));
    }

    @Test
    void theOpenApiDocumentDescribesEveryEndpoint() {
        String doc = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().asString();
        assertThat(doc).contains("/v1/rooms/{room}/notifications", "/v1/rooms/{room}/events",
                "/v1/rooms/{room}/webhooks/alertmanager", "/v1/rooms/{room}/webhooks/{name}", "/v1/admin/api-keys",
                "\"bearer\"", "Idempotency-Key", "\"429\"", "MatrixEventRequest");
    }
}

package io.herald.ingest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasSize;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.herald.common.NotificationEvent;
import io.herald.common.Relations;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Status, edits, redactions and the room queue for API keys, with WireMock playing the dispatcher's API. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(SenderQueueTest.Dispatcher.class)
class SenderQueueTest {

    static WireMockServer dispatcher;

    /** WireMock as the dispatcher, and ingest's service token for it. */
    public static class Dispatcher implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            dispatcher = new WireMockServer(0);
            dispatcher.start();
            return Map.of("herald.ingest.dispatcher.url", dispatcher.baseUrl(),
                    "herald.ingest.dispatcher.token", "hrldt_ingest-to-dispatcher");
        }

        @Override
        public void stop() {
            dispatcher.stop();
        }
    }

    private static TestKeys.Key key;

    @BeforeEach
    void key() {
        if (key == null) {
            key = SendResourceTest.create(Map.of("tenant", "acme", "rooms", List.of("ops", "nas"), "label", "nas1"));
        }
    }

    private static String status(String id, String room, String state, String account) {
        return "{\"id\":\"" + id + "\",\"state\":\"" + state + "\",\"deliveries\":[{\"delivery_id\":\"d1\",\"kind\":"
                + "\"matrix_room\",\"account\":\"" + account + "\",\"matrix_room_id\":\"!r:x\",\"state\":\"" + state
                + "\",\"room\":\"" + room + "\",\"tenant\":\"acme\",\"matrix_event_id\":\"$e\"}]}";
    }

    @Test
    void theStatusComesFromTheDispatcherForTheKeysTenantAndRoomsOnly() {
        String id = UUID.randomUUID().toString();
        dispatcher.stubFor(get(urlPathEqualTo("/v1/notifications/" + id)).withQueryParam("tenant", equalTo("acme"))
                .withHeader("Authorization", equalTo("Bearer hrldt_ingest-to-dispatcher"))
                .willReturn(okJson(status(id, "ops", "delivered", "bot"))));
        given().header("Authorization", key.bearer()).get("/v1/notifications/" + id).then().statusCode(200)
                .body("state", org.hamcrest.Matchers.equalTo("delivered"))
                .body("deliveries[0].matrix_event_id", org.hamcrest.Matchers.equalTo("$e"));
        // a notification of a room the key may not post to looks like one nothing is known of
        String other = UUID.randomUUID().toString();
        dispatcher.stubFor(get(urlPathEqualTo("/v1/notifications/" + other)).willReturn(okJson(status(other, "secret",
                "delivered", "bot"))));
        given().header("Authorization", key.bearer()).get("/v1/notifications/" + other).then().statusCode(200)
                .body("state", org.hamcrest.Matchers.equalTo("pending")).body("deliveries", hasSize(0));
    }

    @Test
    void anEditAndARedactionArePublishedToTheOriginalsRoomAsItsAccount() {
        String id = UUID.randomUUID().toString();
        dispatcher.stubFor(get(urlPathEqualTo("/v1/notifications/" + id)).willReturn(okJson(status(id, "nas",
                "delivered", "nas-bot"))));
        String edit = given().header("Authorization", key.bearer()).contentType("application/json")
                .body("{\"body\":\"disk ok " + id + "\"}").put("/v1/notifications/" + id).then().statusCode(202)
                .extract().path("id");
        NotificationEvent published = Records.one(edit);
        assertThat(published.room()).isEqualTo("nas");
        assertThat(published.account()).isEqualTo("nas-bot");
        assertThat(Relations.target(published.event())).isEqualTo(id);
        assertThat(published.event().content()).containsEntry("body", "* nas1: disk ok " + id)
                .containsEntry("m.relates_to", Map.of("rel_type", "m.replace"));
        @SuppressWarnings("unchecked")
        Map<String, Object> newContent = (Map<String, Object>) published.event().content().get("m.new_content");
        assertThat(newContent).containsEntry("body", "nas1: disk ok " + id);

        String redaction = given().header("Authorization", key.bearer()).queryParam("reason", "wrong " + id)
                .delete("/v1/notifications/" + id).then().statusCode(202).extract().path("id");
        NotificationEvent redacts = Records.one(redaction);
        assertThat(redacts.event().type()).isEqualTo(Relations.REDACTION);
        assertThat(redacts.event().content()).containsEntry("reason", "wrong " + id);
        assertThat(Relations.target(redacts.event())).isEqualTo(id);
    }

    @Test
    void aNotificationNeverPostedCannotBeEditedAndAnUnknownOneIs404() {
        String dead = UUID.randomUUID().toString();
        dispatcher.stubFor(get(urlPathEqualTo("/v1/notifications/" + dead)).willReturn(okJson(status(dead, "ops",
                "purged", "bot"))));
        given().header("Authorization", key.bearer()).delete("/v1/notifications/" + dead).then().statusCode(409);
        String unknown = UUID.randomUUID().toString();
        dispatcher.stubFor(get(urlPathEqualTo("/v1/notifications/" + unknown)).willReturn(okJson(
                "{\"id\":\"" + unknown + "\",\"state\":\"pending\",\"deliveries\":[]}")));
        given().header("Authorization", key.bearer()).contentType("application/json").body("{\"body\":\"x\"}")
                .put("/v1/notifications/" + unknown).then().statusCode(404).contentType("application/problem+json");
        // edits only through these endpoints
        given().header("Authorization", key.bearer()).contentType("application/json")
                .body("{\"type\":\"m.room.message\",\"content\":{\"body\":\"x\",\"" + Relations.KEY
                        + "\":{\"notification_id\":\"" + unknown + "\"}}}").post("/v1/rooms/ops/events").then()
                .statusCode(400);
    }

    @Test
    void theRoomQueueIsTheDispatchersForTheKeysRoomsAndTheDispatcherAwayIsA503() {
        dispatcher.stubFor(get(urlPathEqualTo("/v1/rooms/ops/queue")).willReturn(okJson(
                "{\"room\":\"ops\",\"deliveries\":[],\"total\":0}")));
        dispatcher.stubFor(delete(urlPathEqualTo("/v1/rooms/ops/queue")).willReturn(okJson(
                "{\"room\":\"ops\",\"purged_before\":\"2026-12-03T10:00:00Z\",\"waiting\":3}")));
        dispatcher.stubFor(post(urlPathEqualTo("/v1/rooms/ops/queue/flush")).willReturn(okJson(
                "{\"room\":\"ops\",\"destinations\":1}")));
        given().header("Authorization", key.bearer()).get("/v1/rooms/ops/queue").then().statusCode(200)
                .body("total", org.hamcrest.Matchers.equalTo(0));
        given().header("Authorization", key.bearer()).delete("/v1/rooms/ops/queue").then().statusCode(200)
                .body("waiting", org.hamcrest.Matchers.equalTo(3));
        given().header("Authorization", key.bearer()).post("/v1/rooms/ops/queue/flush").then().statusCode(200)
                .body("destinations", org.hamcrest.Matchers.equalTo(1));
        dispatcher.verify(deleteRequestedFor(urlPathEqualTo("/v1/rooms/ops/queue")).withQueryParam("tenant",
                equalTo("acme")));
        given().header("Authorization", key.bearer()).delete("/v1/rooms/secret/queue").then().statusCode(403);
        dispatcher.stubFor(get(urlPathEqualTo("/v1/rooms/nas/queue")).willReturn(aResponse().withStatus(502)));
        given().header("Authorization", key.bearer()).get("/v1/rooms/nas/queue").then().statusCode(503)
                .header("Retry-After", "5");
        assertThat(dispatcher.findAll(getRequestedFor(urlPathEqualTo("/v1/rooms/secret/queue")))).isEmpty();
    }
}

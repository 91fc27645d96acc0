package io.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.herald.common.Json;
import io.herald.common.NotificationEvent;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one-line intake: every content type, header, query form and credential form. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class SendResourceTest {

    private static TestKeys.Key key;
    private static TestKeys.Key urgentKey;

    @BeforeEach
    void keys() {
        if (key == null) {
            key = TestKeys.any();
            urgentKey = create(Map.of("tenant", "t-urgent", "rooms", List.of("*"), "label", "nas1",
                    "may_mention_room", true, "account", "nas-bot"));
        }
    }

    static TestKeys.Key create(Map<String, Object> body) {
        var response = given().header("Authorization", TestKeys.ADMIN).contentType("application/json")
                .body(Json.encode(body)).post("/v1/admin/api-keys").then().statusCode(201).extract();
        return new TestKeys.Key(response.path("id"), response.path("key"));
    }

    private static RequestSpecification api() {
        return given().header("Authorization", key.bearer());
    }

    /** The one record the request made, found by its id. */
    static NotificationEvent published(ExtractableResponse<Response> accepted) {
        String id = accepted.path("id");
        assertThat(accepted.header("Location")).endsWith("/v1/notifications/" + id);
        NotificationEvent event = Records.one(id);
        assertThat(event.id()).isEqualTo(id);
        return event;
    }

    private static String marker() {
        return "m-" + UUID.randomUUID();
    }

    @Test
    void aTextBodyIsTheMessage() {
        String m = marker();
        NotificationEvent event = published(api().contentType("text/plain; charset=utf-8").body("Backup failed " + m)
                .post("/v1/rooms/ops/send").then().statusCode(202).body("status_urls[0]", containsString("/v1/notifications/"))
                .extract());
        assertThat(event.room()).isEqualTo("ops");
        assertThat(event.priority()).isNull();
        assertThat(event.event().content()).containsEntry("msgtype", "m.text").containsEntry("body", "Backup failed " + m);
    }

    @Test
    void aBodyWithoutContentTypeAndPutWorkAlike() {
        String m = marker();
        NotificationEvent event = published(api().body(m.getBytes(StandardCharsets.UTF_8)).put("/v1/rooms/ops/send")
                .then().statusCode(202).extract());
        assertThat(event.event().content()).containsEntry("body", m);
    }

    @Test
    void headersInAnyCaseAndTheirXFormsSetTheOptionalFields() {
        String m = marker();
        NotificationEvent event = published(api().contentType("text/plain").header("title", "Disk <full>")
                .header("X-Priority", "5").header("TAGS", "warning,nas1").header("click", "https://nas.local")
                .header("Markdown", "yes").body("**sda1** at 99% " + m).post("/v1/rooms/ops/send").then().statusCode(202)
                .extract());
        assertThat(event.priority()).isEqualTo("urgent");
        Map<String, Object> content = event.event().content();
        assertThat(content).containsEntry("msgtype", "m.text")
                .containsEntry("body", "⚠️ [nas1] Disk <full>\n\n**sda1** at 99% " + m + "\n\nhttps://nas.local")
                // the plain key may not mention the room: urgent is only a high-priority message
                .doesNotContainKey("m.mentions");
        assertThat((String) content.get("formatted_body")).contains("<strong>sda1</strong>")
                .startsWith("<strong>⚠️ [nas1] Disk &lt;full&gt;</strong>");
    }

    @Test
    void queryParametersSetTheFieldsAndGetSendsWithTheKeyInTheQuery() {
        String m = marker();
        NotificationEvent event = published(given().queryParam("auth", key.secret()).queryParam("message", m)
                .queryParam("t", "Router").queryParam("priority", "low").get("/v1/rooms/ops/send").then()
                .statusCode(202).extract());
        assertThat(event.priority()).isEqualTo("low");
        assertThat(event.event().content()).containsEntry("msgtype", "m.notice")
                .containsEntry("body", "Router\n\n" + m);
    }

    @Test
    void aBodyFieldWinsOverAHeaderAndAHeaderOverAQueryParameter() {
        String m = marker();
        NotificationEvent event = published(api().contentType("application/x-www-form-urlencoded")
                .queryParam("title", "from query").queryParam("priority", "min").header("Priority", "high")
                .body("message=" + m + "&title=from+form").post("/v1/rooms/ops/send").then().statusCode(202).extract());
        assertThat(event.priority()).isEqualTo("high");
        assertThat(event.event().content()).containsEntry("body", "from form\n\n" + m);
    }

    @Test
    void jsonTakesTagsAsAListAndPriorityAsANumber() {
        String m = marker();
        NotificationEvent event = published(api().contentType("application/json")
                .body("{\"message\":\"" + m + "\",\"tags\":[\"tada\",\"ci\"],\"priority\":2,\"silent\":false}")
                .post("/v1/rooms/ops/send").then().statusCode(202).extract());
        assertThat(event.priority()).isEqualTo("low");
        assertThat(event.event().content()).containsEntry("msgtype", "m.notice").containsEntry("body", "🎉 [ci] " + m);
    }

    @Test
    void basicCredentialsCarryTheKeyAsPassword() {
        String m = marker();
        String basic = Base64.getEncoder().encodeToString(("router:" + key.secret()).getBytes(StandardCharsets.UTF_8));
        published(given().header("Authorization", "Basic " + basic).body(m).post("/v1/rooms/ops/send").then()
                .statusCode(202).extract());
        String wrong = Base64.getEncoder().encodeToString("router:hunter2".getBytes(StandardCharsets.UTF_8));
        given().header("Authorization", "Basic " + wrong).body(m).post("/v1/rooms/ops/send").then().statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"));
        given().queryParam("auth", "hrld_unknown").body(m).post("/v1/rooms/ops/send").then().statusCode(401);
        given().body(m).post("/v1/rooms/ops/send").then().statusCode(401);
    }

    @Test
    void urgentMentionsTheRoomForAKeyThatMayAndTheLabelAndAccountTravel() {
        String m = marker();
        NotificationEvent event = published(given().header("Authorization", urgentKey.bearer()).header("Priority", "max")
                .header("Title", "UPS on battery").body(m).post("/v1/rooms/ops/send").then().statusCode(202).extract());
        assertThat(event.priority()).isEqualTo("urgent");
        assertThat(event.account()).isEqualTo("nas-bot");
        assertThat(event.event().content()).containsEntry("m.mentions", Map.of("room", true))
                .containsEntry("body", "nas1: UPS on battery\n\n" + m);
        assertThat((String) event.event().content().get("formatted_body")).startsWith("<strong>nas1:</strong> ");
    }

    @Test
    void badFieldsAreOne400NamingEachAndUnknownBodiesA415() {
        api().contentType("text/plain").header("Priority", "6").header("Markdown", "maybe").header("Click", "ftp://x")
                .body("").post("/v1/rooms/ops/send").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItems("message", "priority", "markdown", "link"));
        api().contentType("application/xml").body("<m/>").post("/v1/rooms/ops/send").then().statusCode(415)
                .contentType("application/problem+json");
        api().contentType("application/json").body("[1]").post("/v1/rooms/ops/send").then().statusCode(400);
        api().contentType("text/plain").body("x".repeat(32769)).post("/v1/rooms/ops/send").then().statusCode(400)
                .body("errors[0].field", equalTo("message"));
    }

    @Test
    void anIdempotencyKeyMakesOneNotificationHoweverTheFieldsWereSent() {
        String m = marker();
        String first = api().header("Idempotency-Key", m).header("Title", "T").body(m).post("/v1/rooms/ops/send")
                .then().statusCode(202).extract().path("id");
        String again = api().header("Idempotency-Key", m).contentType("application/json")
                .body("{\"message\":\"" + m + "\",\"title\":\"T\"}").post("/v1/rooms/ops/send").then().statusCode(202)
                .extract().path("id");
        assertThat(again).isEqualTo(first);
        assertThat(Records.all(m)).hasSize(1);
    }
}

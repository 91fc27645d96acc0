package io.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.herald.common.Json;
import io.herald.common.NotificationEvent;
import io.herald.common.Topics;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class NotificationResourceTest {

    private static TestKeys.Key key;

    @BeforeEach
    void key() {
        if (key == null) {
            key = TestKeys.any();
        }
    }

    private static RequestSpecification api() {
        return given().header("Authorization", key.bearer());
    }

    @Test
    void acceptedNotificationIsOnKafkaKeyedByRoomWithRenderedContent() {
        String id = api().contentType("application/json")
                .body("{\"subject\":\"Disk <full>\",\"body\":\"sda1 at 99%\",\"link\":\"https://nas.local\",\"silent\":true}")
                .post("/v1/rooms/nas-alerts/notifications")
                .then().statusCode(202).body("id", notNullValue())
                .extract().path("id");

        List<ConsumerRecord<String, String>> records = KafkaRecords.await(KafkaRecords.bootstrapServers(),
                Topics.NOTIFICATIONS, r -> r.value().contains(id), 1, Duration.ofSeconds(30));

        assertThat(records).hasSize(1);
        assertThat(records.get(0).key()).isEqualTo("nas-alerts");
        NotificationEvent event = Json.decodeNotification(records.get(0).value());
        assertThat(event.id()).isEqualTo(id);
        assertThat(event.room()).isEqualTo("nas-alerts");
        assertThat(event.source()).isEqualTo("http");
        assertThat(event.event().type()).isEqualTo("m.room.message");
        assertThat(event.event().sender()).isEqualTo("@herald:localhost");
        assertThat(event.event().content()).doesNotContainKey("m.mentions")
                .containsEntry("msgtype", "m.notice")
                .containsEntry("body", "Disk <full>\n\nsda1 at 99%\n\nhttps://nas.local")
                .containsEntry("formatted_body",
                        "<strong>Disk &lt;full&gt;</strong><br><br>sda1 at 99%<br><br><a href=\"https://nas.local\">https://nas.local</a>");
    }

    @Test
    void missingBodyIsA400WithTheFieldAndNothingIsPublished() {
        String marker = "marker-" + UUID.randomUUID();
        api().contentType("application/json").body("{\"subject\":\"" + marker + "\"}")
                .post("/v1/rooms/ops/notifications")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("errors.field", hasItem("body"))
                .body("detail", containsString("body: is required"));

        assertNothingPublishedContaining(marker);
    }

    @Test
    void invalidJsonIsA400WithAClearMessageAndNothingIsPublished() {
        String marker = "marker-" + UUID.randomUUID();
        api().contentType("application/json").body("{\"subject\":\"" + marker + "\", \"body\": ")
                .post("/v1/rooms/ops/notifications")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("not valid JSON"));

        assertNothingPublishedContaining(marker);
    }

    @Test
    void wrongShapesAndBadFieldsAre400s() {
        api().contentType("application/json").body("[1,2]")
                .post("/v1/rooms/ops/notifications").then().statusCode(400);
        api().contentType("application/json").body("")
                .post("/v1/rooms/ops/notifications").then().statusCode(400);
        api().contentType("application/json").body("{\"body\":\"x\",\"link\":\"javascript:alert(1)\"}")
                .post("/v1/rooms/ops/notifications")
                .then().statusCode(400).body("errors.field", hasItem("link"));
        api().contentType("application/json").body("{\"body\":\"x\"}")
                .post("/v1/rooms/bad room!/notifications")
                .then().statusCode(400).body("errors.field", hasItem("room"));
    }

    @Test
    void otherMediaTypesAreRefused() {
        api().contentType("text/plain").body("hello")
                .post("/v1/rooms/ops/notifications")
                .then().statusCode(415).contentType("application/problem+json");
    }

    @Test
    void markdownIsRenderedSanitisedAndMentionsBecomeMMentions() {
        String marker = "md-" + UUID.randomUUID();
        String id = api().contentType("application/json").body(Json.encode(java.util.Map.of(
                        "subject", "Deploy " + marker,
                        "body", "**done** <script>alert(1)</script> [evil](javascript:alert(1)) [ok](https://ci.local/1)",
                        "format", "markdown",
                        "mentions", java.util.Map.of("user_ids", List.of("@alice:example.org"), "room", true))))
                .post("/v1/rooms/ops/notifications").then().statusCode(202).extract().path("id");
        NotificationEvent event = Records.one(id);
        var content = event.event().content();
        assertThat(content).containsEntry("m.mentions",
                java.util.Map.of("user_ids", List.of("@alice:example.org"), "room", true));
        String html = (String) content.get("formatted_body");
        assertThat(html).contains("<strong>done</strong>", "&lt;script&gt;", "<a href=\"https://ci.local/1\">ok</a>")
                .doesNotContain("<script", "javascript:").contains("evil");
        assertThat((String) content.get("body")).startsWith("Deploy " + marker + "\n\n**done**");
    }

    @Test
    void badMentionsAndFormatAre400sWithTheField() {
        api().contentType("application/json")
                .body("{\"body\":\"x\",\"format\":\"html\",\"mentions\":{\"user_ids\":[\"alice\"]}}")
                .post("/v1/rooms/ops/notifications")
                .then().statusCode(400)
                .body("errors.field", hasItem("format"))
                .body("errors.field", hasItem(org.hamcrest.Matchers.startsWith("mentions.user_ids")));
    }

    private static void assertNothingPublishedContaining(String marker) {
        // A later accepted notification on the same key proves the earlier request had its chance to arrive first.
        String id = api().contentType("application/json").body("{\"body\":\"fence\"}")
                .post("/v1/rooms/ops/notifications").then().statusCode(202).extract().path("id");
        KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.NOTIFICATIONS,
                r -> r.value().contains(id), 1, Duration.ofSeconds(30));
        assertThat(KafkaRecords.readAll(KafkaRecords.bootstrapServers(), Topics.NOTIFICATIONS,
                r -> r.value().contains(marker))).isEmpty();
    }
}

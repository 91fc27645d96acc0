package io.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.herald.common.NotificationEvent;
import io.herald.common.Relations;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Message templates: stored through the admin API, checked on save, applied at once; Alertmanager's edits. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class TemplatesTest {

    private static TestKeys.Key key;

    @BeforeEach
    void key() {
        if (key == null) {
            key = SendResourceTest.create(Map.of("tenant", "tpl", "rooms", List.of("*"), "may_mention_room", true));
        }
    }

    private static void put(String name, String json) {
        given().header("Authorization", TestKeys.ADMIN).contentType("application/json").body(json)
                .put("/v1/admin/templates/" + name).then().statusCode(200).body("name", equalTo(name));
    }

    private static NotificationEvent post(String path, String json) {
        String id = given().header("Authorization", key.bearer()).contentType("application/json").body(json)
                .post(path).then().statusCode(202).extract().path("id");
        return Records.one(id);
    }

    @Test
    void aTemplateMakesANamedWebhookWithoutARestartAndEscapesWhatItPutsIntoHtml() {
        String name = "deploy-" + UUID.randomUUID().toString().substring(0, 8);
        given().header("Authorization", key.bearer()).contentType("application/json").body("{}")
                .post("/v1/rooms/ops/webhooks/" + name).then().statusCode(404);
        put(name, """
                {"subject": "Deploy of {payload.app}", "body": "{payload.app} {payload.version} is {payload.state}",
                 "html": "<b>{payload.app}</b> {payload.version}",
                 "priority": "{#if payload.state == 'failed'}urgent{#else}low{/if}",
                 "mentions": "{#for u in payload.owners}{u} {/for}@room"}""");
        String marker = UUID.randomUUID().toString();
        NotificationEvent event = post("/v1/rooms/ops/webhooks/" + name, "{\"app\":\"<shop>\",\"version\":\""
                + marker + "\",\"state\":\"failed\",\"owners\":[\"@a:example.org\",\"not a user\"]}");
        assertThat(event.priority()).isEqualTo("urgent");
        assertThat(event.source()).isEqualTo("webhook:" + name);
        assertThat(event.event().content()).containsEntry("msgtype", "m.text")
                .containsEntry("body", "Deploy of <shop>\n\n<shop> " + marker + " is failed")
                .containsEntry("formatted_body", "<b>&lt;shop&gt;</b> " + marker)
                .containsEntry("m.mentions", Map.of("user_ids", List.of("@a:example.org"), "room", true));
    }

    @Test
    void aTemplateThatDoesNotCompileIsA400NamingThePartAndTheLine() {
        given().header("Authorization", TestKeys.ADMIN).contentType("application/json")
                .body("{\"body\":\"first line\\n{#if payload.x}\\nnever closed\"}").put("/v1/admin/templates/broken")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("body")).body("errors[0].message", containsString("line"));
        given().header("Authorization", TestKeys.ADMIN).get("/v1/admin/templates/broken").then().statusCode(404);
        given().header("Authorization", TestKeys.ADMIN).contentType("application/json").body("{\"subject\":\"x\"}")
                .put("/v1/admin/templates/broken").then().statusCode(400).body("errors[0].field", equalTo("body"));
    }

    @Test
    void alertmanagersBuiltInTemplateIsShownReplacedAndRestored() {
        given().header("Authorization", TestKeys.ADMIN).get("/v1/admin/templates/alertmanager").then().statusCode(200)
                .body("built_in", equalTo(true)).body("subject", containsString("FIRING"));
        put("alertmanager", "{\"subject\":\"ALERT {alert.name}\",\"body\":\"{alert.labels.instance} is {alert.status}\"}");
        try {
            NotificationEvent event = post("/v1/rooms/am-tpl/webhooks/alertmanager",
                    AlertmanagerTest.payload("firing", "Custom" + UUID.randomUUID(), 1));
            assertThat((String) event.event().content().get("body")).startsWith("ALERT Custom")
                    .contains("\n\nnode1:9100 is firing");
        } finally {
            given().header("Authorization", TestKeys.ADMIN).delete("/v1/admin/templates/alertmanager").then()
                    .statusCode(204);
        }
        NotificationEvent event = post("/v1/rooms/am-tpl/webhooks/alertmanager",
                AlertmanagerTest.payload("firing", "Default" + UUID.randomUUID(), 1));
        assertThat((String) event.event().content().get("body")).startsWith("[FIRING] Default");
        assertThat(event.priority()).as("severity critical").isEqualTo("urgent");
    }

    @Test
    void aResolvedAlertEditsTheMessageOfItsFiring() {
        String name = "Edit" + UUID.randomUUID();
        String room = "am-" + UUID.randomUUID().toString().substring(0, 8);
        NotificationEvent firing = post("/v1/rooms/" + room + "/webhooks/alertmanager",
                AlertmanagerTest.payload("firing", name, 1));
        NotificationEvent resolved = post("/v1/rooms/" + room + "/webhooks/alertmanager",
                AlertmanagerTest.payload("resolved", name, 1));
        assertThat(Relations.target(resolved.event())).isEqualTo(firing.id());
        @SuppressWarnings("unchecked")
        Map<String, Object> newContent = (Map<String, Object>) resolved.event().content().get("m.new_content");
        assertThat((String) newContent.get("body")).startsWith("[RESOLVED] " + name);
        assertThat(newContent).containsEntry("msgtype", "m.notice");
        assertThat((String) resolved.event().content().get("body")).startsWith("* [RESOLVED] " + name);
        // in another room the same alert's resolution is a message of its own
        NotificationEvent elsewhere = post("/v1/rooms/" + room + "-b/webhooks/alertmanager",
                AlertmanagerTest.payload("resolved", name, 1));
        assertThat(Relations.target(elsewhere.event())).isNull();
    }
}

package io.herald.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class EvaluateResourceTest {

    private static final String MESSAGE = "{\"type\":\"m.room.message\",\"sender\":\"@bot:example.org\","
            + "\"room_id\":\"!eval:example.org\",\"content\":{\"msgtype\":\"m.text\",\"body\":\"hello\"}}";

    @Test
    void oneEventLikeTheCli() {
        JsonPath r = Auth.operator().contentType("application/json")
                .body("{\"event\":" + MESSAGE + ",\"user_id\":\"@u:example.org\",\"room_member_count\":2}")
                .post("/v1/push-rules/evaluate").then().statusCode(200).extract().jsonPath();
        assertThat(r.getString("rule_id")).isEqualTo(".m.rule.room_one_to_one");
        assertThat(r.getString("kind")).isEqualTo("underride");
        assertThat(r.getList("actions")).contains("notify");
        assertThat(r.getMap("tweaks")).containsEntry("sound", "default");

        JsonPath given = Auth.operator().contentType("application/json")
                .body("{\"event\":" + MESSAGE + ",\"user_id\":\"@u:example.org\",\"room_member_count\":5,"
                        + "\"ruleset\":{\"global\":{\"override\":[{\"rule_id\":\"all\",\"default\":false,\"enabled\":true,"
                        + "\"conditions\":[],\"actions\":[\"notify\",{\"set_tweak\":\"highlight\"}]}]}}}")
                .post("/v1/push-rules/evaluate").then().statusCode(200).extract().jsonPath();
        assertThat(given.getString("rule_id")).isEqualTo("all");
        assertThat(given.getMap("tweaks")).containsEntry("highlight", true);
    }

    @Test
    void malformedRequestsGetTheCliError() {
        Auth.operator().contentType("application/json").body("{\"event\":" + MESSAGE + ",\"room_member_count\":2}")
                .post("/v1/push-rules/evaluate").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.containsString("user_id"));
        Auth.operator().contentType("application/json").body("[1]").post("/v1/push-rules/evaluate").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.notNullValue());
        Auth.operator().contentType("application/json").body("{\"room\":\"eval-none\",\"event\":" + MESSAGE + "}")
                .post("/v1/push-rules/evaluate").then().statusCode(404);
    }

    @Test
    void aRoomAnswersForEveryMemberWithTheirStoredRules() {
        Auth.admin().contentType("application/json").body("{\"matrix_room_id\":\"!eval:example.org\",\"account\":\"bot\"}")
                .put("/v1/rooms/eval").then().statusCode(201);
        String event = "{\"type\":\"m.room.message\",\"sender\":\"@e-carol:example.org\",\"content\":{\"msgtype\":\"m.text\",\"body\":\"hi\"}}";
        for (String u : new String[] {"@e-alice:example.org", "@e-bob:example.org"}) {
            Auth.admin().contentType("application/json").body("{}").put("/v1/rooms/eval/members/" + u).then().statusCode(201);
        }
        // the first evaluation fills the caches (members of the room, Bob's compiled rules)
        JsonPath first = Auth.operator().contentType("application/json").body("{\"room\":\"eval\",\"event\":" + event + "}")
                .post("/v1/push-rules/evaluate").then().statusCode(200).extract().jsonPath();
        assertThat(first.getList("results.user_id", String.class)).containsExactly("@e-alice:example.org", "@e-bob:example.org");
        assertThat(first.getString("results[1].rule_id")).isEqualTo(".m.rule.room_one_to_one");

        // changes through the API invalidate them: Carol joins, Bob mutes this room with a room rule (the event
        // gets the linked room's id)
        Auth.admin().contentType("application/json").body("{}").put("/v1/rooms/eval/members/@e-carol:example.org").then().statusCode(201);
        Auth.admin().contentType("application/json").body("{\"actions\":[]}")
                .put("/v1/users/@e-bob:example.org/pushrules/global/room/!eval:example.org").then().statusCode(200);

        JsonPath r = Auth.operator().contentType("application/json").body("{\"room\":\"eval\",\"event\":" + event + "}")
                .post("/v1/push-rules/evaluate").then().statusCode(200).extract().jsonPath();
        assertThat(r.getList("results.user_id", String.class))
                .containsExactly("@e-alice:example.org", "@e-bob:example.org", "@e-carol:example.org");
        Map<String, Object> alice = r.getMap("results[0]");
        assertThat(alice).containsEntry("rule_id", ".m.rule.message").containsEntry("kind", "underride");
        assertThat(r.getList("results[0].actions")).contains("notify");
        assertThat(r.getString("results[1].rule_id")).isEqualTo("!eval:example.org");
        assertThat(r.getList("results[1].actions")).isEmpty();
        assertThat(r.getString("results[2].rule_id")).as("own event").isNull();
    }
}

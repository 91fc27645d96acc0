package io.herald.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.model.Request.Method;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.MatrixSpec;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class PushRulesResourceTest {

    private static final String SPEC = MatrixSpec.PUSH_RULES;
    private static final String M = "/_matrix/client/v3/pushrules/";

    private static String base(String user) {
        return "/v1/users/" + user + "/pushrules/";
    }

    private static ExtractableResponse<Response> put(String user, String kindAndId, String query, String body) {
        return Auth.admin().contentType("application/json").body(body)
                .put(base(user) + "global/" + kindAndId + (query == null ? "" : "?" + query)).then().extract();
    }

    @Test
    void theWholeRulesetIsTheServerDefaultsAndConformsToTheSpec() {
        String user = "@defaults:example.org";
        ExtractableResponse<Response> all = Matrix.conforms(SPEC, Method.GET, M,
                Auth.admin().get(base(user)).then().statusCode(200).extract());
        assertThat(all.jsonPath().getString("global.override[0].rule_id")).isEqualTo(".m.rule.master");
        assertThat(all.jsonPath().getList("global.underride.rule_id", String.class)).contains(".m.rule.message");

        ExtractableResponse<Response> global = Matrix.conforms(SPEC, Method.GET, M + "global/",
                Auth.admin().get(base(user) + "global/").then().statusCode(200).extract());
        assertThat(global.jsonPath().getList("override.rule_id", String.class))
                .isEqualTo(all.jsonPath().getList("global.override.rule_id", String.class));
        Auth.admin().get("/v1/users/" + user + "/pushrules").then().statusCode(200);
    }

    @Test
    void createReadOrderAndDeleteUserRules() {
        String user = "@order:example.org";
        Matrix.conforms(SPEC, Method.PUT, M + "global/override/one",
                put(user, "override/one", null, "{\"actions\":[\"notify\"],\"conditions\":[{\"kind\":\"event_match\",\"key\":\"content.body\",\"pattern\":\"one\"}]}"));
        put(user, "override/two", null, "{\"actions\":[]}");                 // new, no anchor: most important
        put(user, "override/three", "after=one", "{\"actions\":[]}");
        put(user, "override/four", "before=one&after=two", "{\"actions\":[]}"); // before wins
        assertThat(overrideIds(user)).containsExactly(".m.rule.master", "two", "four", "one", "three");

        // an update without an anchor makes the rule the most important (as Synapse does); with an anchor it moves
        put(user, "override/one", null, "{\"actions\":[\"notify\",{\"set_tweak\":\"sound\",\"value\":\"ping\"}]}");
        assertThat(overrideIds(user)).containsExactly(".m.rule.master", "one", "two", "four", "three");
        put(user, "override/two", "after=three", "{\"actions\":[]}");
        assertThat(overrideIds(user)).containsExactly(".m.rule.master", "one", "four", "three", "two");

        ExtractableResponse<Response> one = Matrix.conforms(SPEC, Method.GET, M + "global/override/one",
                Auth.admin().get(base(user) + "global/override/one").then().statusCode(200).extract());
        assertThat(one.jsonPath().getBoolean("default")).isFalse();
        assertThat(one.jsonPath().getBoolean("enabled")).isTrue();
        assertThat(one.jsonPath().getList("actions")).hasSize(2);
        assertThat(one.jsonPath().getList("conditions")).isEmpty(); // the update replaced the conditions

        put(user, "content/cake", null, "{\"pattern\":\"cake*lie\",\"actions\":[\"notify\"]}");
        Matrix.conforms(SPEC, Method.GET, M + "global/content/cake",
                Auth.admin().get(base(user) + "global/content/cake").then().statusCode(200).extract());
        assertThat(Auth.admin().get(base(user) + "global/content/cake").jsonPath().getString("pattern")).isEqualTo("cake*lie");

        Matrix.conforms(SPEC, Method.DELETE, M + "global/override/four",
                Auth.admin().delete(base(user) + "global/override/four").then().statusCode(200).extract());
        assertThat(overrideIds(user)).containsExactly(".m.rule.master", "one", "three", "two");
        Matrix.conforms(SPEC, Method.DELETE, M + "global/override/four",
                Auth.admin().delete(base(user) + "global/override/four").then().statusCode(404)
                        .body("errcode", org.hamcrest.Matchers.equalTo("M_NOT_FOUND")).extract());
    }

    @Test
    void enabledAndActionsWorkOnUserAndServerDefaultRules() {
        String user = "@toggles:example.org";
        String rule = "global/underride/.m.rule.message";
        ExtractableResponse<Response> enabled = Matrix.conforms(SPEC, Method.GET, M + rule + "/enabled",
                Auth.admin().get(base(user) + rule + "/enabled").then().statusCode(200).extract());
        assertThat(enabled.jsonPath().getBoolean("enabled")).isTrue();

        Matrix.conforms(SPEC, Method.PUT, M + rule + "/enabled", Auth.admin().contentType("application/json")
                .body("{\"enabled\":false}").put(base(user) + rule + "/enabled").then().statusCode(200).extract());
        Matrix.conforms(SPEC, Method.PUT, M + rule + "/actions", Auth.admin().contentType("application/json")
                .body("{\"actions\":[\"notify\",{\"set_tweak\":\"sound\",\"value\":\"bell\"}]}")
                .put(base(user) + rule + "/actions").then().statusCode(200).extract());

        // both overrides are kept (setting actions did not reset enabled)
        assertThat(Auth.admin().get(base(user) + rule + "/enabled").jsonPath().getBoolean("enabled")).isFalse();
        ExtractableResponse<Response> actions = Matrix.conforms(SPEC, Method.GET, M + rule + "/actions",
                Auth.admin().get(base(user) + rule + "/actions").then().statusCode(200).extract());
        assertThat(actions.jsonPath().getList("actions")).contains("notify", Map.of("set_tweak", "sound", "value", "bell"));
        ExtractableResponse<Response> whole = Auth.admin().get(base(user) + rule).then().statusCode(200).extract();
        assertThat(whole.jsonPath().getBoolean("default")).isTrue();
        assertThat(whole.jsonPath().getBoolean("enabled")).isFalse();
        // another user is not affected
        assertThat(Auth.admin().get(base("@other-toggles:example.org") + rule + "/enabled").jsonPath().getBoolean("enabled")).isTrue();

        // a user rule keeps its enabled state when updated
        put(user, "room/!r:example.org", null, "{\"actions\":[\"notify\"]}");
        Auth.admin().contentType("application/json").body("{\"enabled\":false}")
                .put(base(user) + "global/room/!r:example.org/enabled").then().statusCode(200);
        put(user, "room/!r:example.org", null, "{\"actions\":[]}");
        ExtractableResponse<Response> room = Auth.admin().get(base(user) + "global/room/!r:example.org").then().statusCode(200).extract();
        assertThat(room.jsonPath().getBoolean("enabled")).isFalse();
        assertThat(room.jsonPath().getList("actions")).isEmpty();
    }

    @Test
    void errorsAreMatrixErrorsWithTheSpecStatuses() {
        String user = "@errors:example.org";
        ExtractableResponse<Response> missing = Matrix.conforms(SPEC, Method.GET, M + "global/override/nope",
                Auth.admin().get(base(user) + "global/override/nope").then().statusCode(404).extract());
        assertThat(missing.jsonPath().getString("errcode")).isEqualTo("M_NOT_FOUND");
        assertThat(missing.jsonPath().getString("error")).isNotBlank();
        for (String path : List.of("/enabled", "/actions")) {
            Matrix.conforms(SPEC, Method.GET, M + "global/override/nope" + path,
                    Auth.admin().get(base(user) + "global/override/nope" + path).then().statusCode(404).extract());
            Matrix.conforms(SPEC, Method.PUT, M + "global/override/nope" + path, Auth.admin().contentType("application/json")
                    .body(path.equals("/enabled") ? "{\"enabled\":true}" : "{\"actions\":[]}")
                    .put(base(user) + "global/override/nope" + path).then().statusCode(404).extract());
        }

        ExtractableResponse<Response> dot = Matrix.conforms(SPEC, Method.PUT, M + "global/override/.mine",
                put(user, "override/.mine", null, "{\"actions\":[\"notify\"]}"));
        assertThat(dot.statusCode()).isEqualTo(400);
        assertThat(dot.jsonPath().getString("errcode")).isEqualTo("M_UNKNOWN");

        ExtractableResponse<Response> anchor = Matrix.conforms(SPEC, Method.PUT, M + "global/override/x",
                put(user, "override/x", "before=ghost", "{\"actions\":[\"notify\"]}"));
        assertThat(anchor.statusCode()).isEqualTo(400);
        assertThat(anchor.jsonPath().getString("errcode")).isEqualTo("M_UNKNOWN");
        assertThat(anchor.jsonPath().getString("error")).isEqualTo("before/after rule not found: ghost");
        ExtractableResponse<Response> serverAnchor = put(user, "override/x", "after=.m.rule.master", "{\"actions\":[\"notify\"]}");
        assertThat(serverAnchor.statusCode()).isEqualTo(400);
        assertThat(serverAnchor.jsonPath().getString("errcode")).isEqualTo("M_UNKNOWN");
        assertThat(Auth.admin().get(base(user) + "global/override/x").statusCode()).as("nothing was stored").isEqualTo(404);

        // invalid rules and values: 400 M_UNKNOWN, as Synapse answers
        assertRefused(put(user, "content/empty", null, "{\"pattern\":\"\",\"actions\":[\"notify\"]}"), "M_UNKNOWN");
        assertRefused(put(user, "override/bad", null, "{\"actions\":[\"explode\"]}"), "M_UNKNOWN");
        assertRefused(put(user, "override/noactions", null, "{}"), "M_UNKNOWN");
        assertRefused(put(user, "override/badcond", null, "{\"actions\":[],\"conditions\":[{\"kind\":\"room_member_count\",\"is\":\"lots\"}]}"), "M_UNKNOWN");
        assertRefused(put(user, "sideways/x", null, "{\"actions\":[]}"), "M_UNKNOWN");
        assertInvalid(put(user, "postcontent/x", null, "{\"actions\":[]}"));
        assertRefused(Auth.admin().contentType("application/json").body("{\"enabled\":\"yes\"}")
                .put(base(user) + "global/underride/.m.rule.message/enabled").then().extract(), "M_UNKNOWN");
        assertRefused(Auth.admin().contentType("application/json").body("{\"actions\":\"notify\"}")
                .put(base(user) + "global/underride/.m.rule.message/actions").then().extract(), "M_UNKNOWN");
        assertRefused(Auth.admin().get(base(user) + "global/sideways/x").then().extract(), "M_UNRECOGNIZED");
        assertRefused(Auth.admin().get(base(user) + "global/underride/.m.rule.message/nothing").then().extract(),
                "M_UNRECOGNIZED");
        // a server-default rule is not deleted: what the user changed of it is (then 404, as Synapse)
        Auth.admin().contentType("application/json").body("{\"actions\":[]}")
                .put(base(user) + "global/underride/.m.rule.message/actions").then().statusCode(200);
        Auth.admin().delete(base(user) + "global/underride/.m.rule.message").then().statusCode(200);
        assertThat(Auth.admin().get(base(user) + "global/underride/.m.rule.message/actions").jsonPath()
                .getList("actions")).containsExactly("notify");
        assertThat(Auth.admin().delete(base(user) + "global/underride/.m.rule.message").then().statusCode(404).extract()
                .jsonPath().getString("errcode")).isEqualTo("M_NOT_FOUND");
        // a bare boolean is an enabled value too (Synapse takes it from older clients)
        Auth.admin().contentType("application/json").body("false")
                .put(base(user) + "global/underride/.m.rule.call/enabled").then().statusCode(200);
        assertThat(Auth.admin().get(base(user) + "global/underride/.m.rule.call/enabled").jsonPath()
                .getBoolean("enabled")).isFalse();
        assertInvalid(Auth.admin().get("/v1/users/not-a-user/pushrules/").then().extract());
        // ids the database could not store: refused, not a 500
        assertInvalid(put(user, "override/" + "r".repeat(256), null, "{\"actions\":[]}"));
        assertInvalid(Auth.admin().urlEncodingEnabled(false).contentType("application/json").body("{\"actions\":[]}")
                .put(base(user) + "global/override/r%00").then().extract());
        Auth.admin().urlEncodingEnabled(false).delete(base(user) + "global/override/r%00").then().statusCode(404);
        assertInvalid(Auth.admin().get("/v1/users/@" + "u".repeat(250) + ":example.org/pushrules/").then().extract());

        ExtractableResponse<Response> notJson = put(user, "override/j", null, "{not json");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.jsonPath().getString("errcode")).isEqualTo("M_NOT_JSON");
    }

    private static void assertInvalid(ExtractableResponse<Response> r) {
        assertRefused(r, "M_INVALID_PARAM");
    }

    private static void assertRefused(ExtractableResponse<Response> r, String errcode) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.jsonPath().getString("errcode")).isEqualTo(errcode);
        assertThat(r.jsonPath().getString("error")).isNotBlank();
    }

    private static List<String> overrideIds(String user) {
        return Auth.admin().get(base(user) + "global/").then().statusCode(200).extract().jsonPath()
                .getList("override.rule_id", String.class).stream()
                .filter(id -> !id.startsWith(".") || id.equals(".m.rule.master")).toList();
    }
}

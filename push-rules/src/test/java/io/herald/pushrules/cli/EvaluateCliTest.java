package io.herald.pushrules.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.pushrules.Json;
import io.herald.pushrules.JsonEvaluator;
import io.herald.pushrules.PushRulesJson;
import io.herald.pushrules.RuleSetCompiler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EvaluateCliTest {

    private static final String VALID = Json.strict("{event: {type: 'm.room.message', sender: '@bob:hs',"
            + " room_id: '!r:hs', content: {msgtype: 'm.text', body: 'hi', 'm.mentions': {user_ids: ['@alice:hs']}}},"
            + " user_id: '@alice:hs', display_name: 'Alice', room_member_count: 3, power_levels: null,"
            + " ruleset: null, defaults: 'spec'}");

    private static List<JsonNode> run(String input) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EvaluateCli.run(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out,
                new JsonEvaluator(new RuleSetCompiler(10)));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                lines.add(PushRulesJson.MAPPER.readTree(line));
            }
        }
        return lines;
    }

    @Test
    void validLine() throws Exception {
        List<JsonNode> out = run(VALID + "\n");
        assertEquals(1, out.size());
        assertEquals(Json.parse("{actions: ['notify', {set_tweak: 'sound', value: 'default'},"
                + " {set_tweak: 'highlight'}], tweaks: {sound: 'default', highlight: true},"
                + " rule_id: '.m.rule.is_user_mention', kind: 'override'}"), out.get(0));
    }

    @Test
    void malformedLineYieldsAnErrorAndTheRunGoesOn() throws Exception {
        List<JsonNode> out = run(VALID + "\n{not json\n\n" + VALID.replace("\"@alice:hs\"]", "\"@carol:hs\"]"));
        assertEquals(3, out.size(), "one output per non-blank input line");
        assertEquals(".m.rule.is_user_mention", out.get(0).get("rule_id").textValue());
        assertTrue(out.get(1).has("error"));
        assertTrue(out.get(1).get("error").textValue().startsWith("invalid JSON"), out.get(1).toString());
        assertEquals(1, out.get(1).size());
        assertEquals(".m.rule.message", out.get(2).get("rule_id").textValue());
        assertEquals(Json.parse("['notify']"), out.get(2).get("actions"));
    }

    @Test
    void trailingGarbageAfterTheJsonIsAnError() throws Exception {
        List<JsonNode> out = run(VALID + " {}\n" + VALID);
        assertEquals(2, out.size());
        assertTrue(out.get(0).get("error").textValue().startsWith("invalid JSON"), out.get(0).toString());
        assertEquals(".m.rule.is_user_mention", out.get(1).get("rule_id").textValue());
    }

    @Test
    void noMatchIsNulls() throws Exception {
        List<JsonNode> out = run(Json.strict("{event: {type: 'org.example', sender: '@b:hs'}, user_id: '@a:hs',"
                + " room_member_count: 2}"));
        assertEquals(Json.parse("{actions: [], tweaks: {}, rule_id: null, kind: null}"), out.get(0));
    }

    @Test
    void givenRulesetIsTakenAsIs() throws Exception {
        List<JsonNode> out = run(Json.strict("{event: {type: 'm.room.message', sender: '@b:hs', content: {body: 'x'}},"
                + " user_id: '@a:hs', room_member_count: 2, defaults: 'legacy',"
                + " ruleset: {underride: [{rule_id: 'only', default: false, enabled: true,"
                + " actions: ['notify', {set_tweak: 'sound', value: 'pling'}]}]}}"));
        assertEquals(Json.parse("{actions: ['notify', {set_tweak: 'sound', value: 'pling'}],"
                + " tweaks: {sound: 'pling'}, rule_id: 'only', kind: 'underride'}"), out.get(0));
    }

    @Test
    void legacyProfileAndPowerLevels() throws Exception {
        List<JsonNode> out = run(Json.strict("{event: {type: 'm.room.message', sender: '@b:hs', content: "
                + "{body: '@room: standup'}}, user_id: '@a:hs', display_name: null, room_member_count: 9,"
                + " power_levels: {users: {'@b:hs': 50}}, ruleset: null, defaults: 'legacy'}"));
        assertEquals(".m.rule.roomnotif", out.get(0).get("rule_id").textValue());
        assertEquals(Json.parse("{highlight: true}"), out.get(0).get("tweaks"));
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("[1]", "the request must be a JSON object"),
                Arguments.of("{user_id: '@a:hs', room_member_count: 2}", "event is required and must be a JSON object"),
                Arguments.of("{event: {}, room_member_count: 2}", "user_id is required and must be a non-empty string"),
                Arguments.of("{event: {}, user_id: '@a:hs'}",
                        "room_member_count is required and must be a non-negative integer"),
                Arguments.of("{event: {}, user_id: '@a:hs', room_member_count: -1}",
                        "room_member_count is required and must be a non-negative integer"),
                Arguments.of("{event: {}, user_id: '@a:hs', room_member_count: 2, display_name: 5}",
                        "display_name must be a string or null"),
                Arguments.of("{event: {}, user_id: '@a:hs', room_member_count: 2, power_levels: []}",
                        "power_levels must be a JSON object or null"),
                Arguments.of("{event: {}, user_id: '@a:hs', room_member_count: 2, defaults: 'dendrite'}",
                        "defaults must be \"spec\", \"legacy\" or \"synapse\", got dendrite"),
                Arguments.of("{event: {}, user_id: '@a:hs', room_member_count: 2, ruleset: {override: 1}}",
                        "ruleset.override must be an array"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("badRequests")
    void malformedRequestsAreExplained(String request, String error) throws Exception {
        List<JsonNode> out = run(Json.strict(request) + "\n" + VALID);
        assertEquals(2, out.size());
        assertEquals(error, out.get(0).get("error").textValue());
        assertEquals(".m.rule.is_user_mention", out.get(1).get("rule_id").textValue());
    }

    @Test
    void methodFormMatchesTheCli() {
        JsonNode response = JsonEvaluator.shared().evaluateOrError(Json.parse(VALID));
        assertEquals(".m.rule.is_user_mention", response.get("rule_id").textValue());
        assertEquals("override", response.get("kind").textValue());
        assertEquals("the request must be a JSON object",
                JsonEvaluator.shared().evaluateOrError(Json.parse("'x'")).get("error").textValue());
    }
}

package io.herald.pushrules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** M_INVALID_PARAM messages for a client's PUT /pushrules/global/{kind}/{ruleId}. */
class ValidatorTest {

    static Stream<Arguments> invalid() {
        return Stream.of(
                // kind, rule id, body, expected problems
                Arguments.of(RuleKind.OVERRIDE, ".mine", "{actions: []}",
                        List.of("rule_id must not start with '.': such IDs are reserved for server-default rules")),
                Arguments.of(RuleKind.OVERRIDE, "a/b", "{actions: []}",
                        List.of("rule_id must not contain '/' or '\\'")),
                Arguments.of(RuleKind.OVERRIDE, "a\\b", "{actions: []}",
                        List.of("rule_id must not contain '/' or '\\'")),
                Arguments.of(RuleKind.OVERRIDE, "", "{actions: []}", List.of("rule_id must not be empty")),
                Arguments.of(RuleKind.OVERRIDE, "r", "{}", List.of("actions is required")),
                Arguments.of(RuleKind.OVERRIDE, "r", "{actions: 'notify'}", List.of("actions must be an array")),
                Arguments.of(RuleKind.OVERRIDE, "r", "{actions: ['ring']}",
                        List.of("actions[0]: unknown action \"ring\"")),
                Arguments.of(RuleKind.OVERRIDE, "r", "{actions: ['notify', 5]}",
                        List.of("actions[1]: an action must be a string or an object")),
                Arguments.of(RuleKind.OVERRIDE, "r", "{actions: [{value: 'x'}]}",
                        List.of("actions[0]: an object action must have a non-empty string set_tweak")),
                Arguments.of(RuleKind.OVERRIDE, "r", "{actions: [{set_tweak: 'highlight', value: 'yes'}]}",
                        List.of("actions[0]: the value of the highlight tweak must be a boolean")),
                Arguments.of(RuleKind.OVERRIDE, "r", "{actions: [{set_tweak: 'sound'}]}",
                        List.of("actions[0]: the value of the sound tweak must be a string")),
                Arguments.of(RuleKind.OVERRIDE, "r", "{actions: [], conditions: {}}",
                        List.of("conditions must be an array")),
                Arguments.of(RuleKind.OVERRIDE, "r", "{actions: [], conditions: ['x']}",
                        List.of("conditions[0]: a condition must be an object")),
                Arguments.of(RuleKind.OVERRIDE, "r", "{actions: [], conditions: [{key: 'type'}]}",
                        List.of("conditions[0]: kind is required and must be a non-empty string")),
                Arguments.of(RuleKind.UNDERRIDE, "r", "{actions: [], conditions: [{kind: 'event_match', key: 'type'}]}",
                        List.of("conditions[0] (event_match): pattern is required and must be a string")),
                Arguments.of(RuleKind.UNDERRIDE, "r", "{actions: [], conditions: [{kind: 'event_match', pattern: 1}]}",
                        List.of("conditions[0] (event_match): key is required and must be a string",
                                "conditions[0] (event_match): pattern is required and must be a string")),
                Arguments.of(RuleKind.OVERRIDE, "r",
                        "{actions: [], conditions: [{kind: 'event_property_is', key: 'content.x'}]}",
                        List.of("conditions[0] (event_property_is): value is required")),
                Arguments.of(RuleKind.OVERRIDE, "r",
                        "{actions: [], conditions: [{kind: 'event_property_is', key: 'content.x', value: 1.5}]}",
                        List.of("conditions[0] (event_property_is): value must be a string, an integer between"
                                + " -(2^53)+1 and 2^53-1, a boolean or null (got 1.5)")),
                Arguments.of(RuleKind.OVERRIDE, "r", "{actions: [], conditions: [{kind: 'event_property_contains',"
                        + " key: 'content.x', value: 9007199254740992}]}",
                        List.of("conditions[0] (event_property_contains): value must be a string, an integer between"
                                + " -(2^53)+1 and 2^53-1, a boolean or null (got 9007199254740992)")),
                Arguments.of(RuleKind.OVERRIDE, "r", "{actions: [], conditions: [{kind: 'room_member_count'}]}",
                        List.of("conditions[0] (room_member_count): is is required and must be a string such as"
                                + " \"2\" or \">=10\"")),
                Arguments.of(RuleKind.OVERRIDE, "r",
                        "{actions: [], conditions: [{kind: 'room_member_count', is: '=2'}]}",
                        List.of("conditions[0] (room_member_count): is must be a decimal integer optionally prefixed"
                                + " by ==, <, >, <= or >= (got \"=2\")")),
                Arguments.of(RuleKind.OVERRIDE, "r",
                        "{actions: [], conditions: [{kind: 'sender_notification_permission'}]}",
                        List.of("conditions[0] (sender_notification_permission): key is required and must be a"
                                + " string")),
                Arguments.of(RuleKind.CONTENT, "r", "{actions: []}",
                        List.of("pattern is required for content rules and must be a string")),
                Arguments.of(RuleKind.CONTENT, "r", "{actions: [], pattern: ''}", List.of("pattern must not be empty")),
                Arguments.of(RuleKind.ROOM, "r", "[]", List.of("the request body must be a JSON object")));
    }

    @ParameterizedTest(name = "[{index}] {0}/{1} {2}")
    @MethodSource("invalid")
    void invalidRulesAreExplained(RuleKind kind, String ruleId, String body, List<String> expected) {
        assertEquals(expected, PushRuleValidator.validate(kind, ruleId, Json.parse(body)));
        InvalidPushRuleException e = assertThrows(InvalidPushRuleException.class,
                () -> PushRuleValidator.parseUserRule(kind, ruleId, Json.parse(body)));
        assertEquals(expected, e.problems());
        assertEquals(String.join("; ", expected), e.getMessage());
    }

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of(RuleKind.OVERRIDE, "r", "{actions: ['notify', {set_tweak: 'highlight'},"
                        + " {set_tweak: 'sound', value: 'default'}, {set_tweak: 'x', value: {a: 1}}, 'dont_notify',"
                        + " 'coalesce'], conditions: [{kind: 'event_match', key: 'type', pattern: 'm.*'},"
                        + " {kind: 'event_property_is', key: 'content.x', value: null},"
                        + " {kind: 'event_property_contains', key: 'content.y', value: -9007199254740991},"
                        + " {kind: 'contains_display_name'}, {kind: 'room_member_count', is: '>=10'},"
                        + " {kind: 'sender_notification_permission', key: 'room'},"
                        + " {kind: 'org.example.unknown', anything: true}]}"),
                Arguments.of(RuleKind.UNDERRIDE, "r", "{actions: []}"),
                Arguments.of(RuleKind.CONTENT, "cake", "{actions: ['notify'], pattern: 'cake*lie'}"),
                Arguments.of(RuleKind.ROOM, "!room:example.org", "{actions: []}"),
                Arguments.of(RuleKind.SENDER, "@spam:example.org", "{actions: []}"));
    }

    @ParameterizedTest(name = "[{index}] {0}/{1}")
    @MethodSource("valid")
    void validRulesAreAcceptedAndBuilt(RuleKind kind, String ruleId, String body) {
        assertEquals(List.of(), PushRuleValidator.validate(kind, ruleId, Json.parse(body)));
        PushRule rule = PushRuleValidator.parseUserRule(kind, ruleId, Json.parse(body));
        assertEquals(ruleId, rule.ruleId());
        assertTrue(rule.enabled(), "new rules are enabled");
        assertEquals(false, rule.isDefault());
        assertEquals(Json.parse(body).get("actions"), PushRulesJson.actionsToJson(rule.actions()));
        if (kind == RuleKind.CONTENT) {
            assertEquals(Json.parse(body).get("pattern").textValue(), rule.pattern());
        } else {
            assertEquals(null, rule.pattern());
        }
    }

    @Test
    void conditionsAreOnlyKeptForOverrideAndUnderride() {
        String body = "{actions: [], conditions: [{kind: 'contains_display_name'}], pattern: 'p'}";
        assertEquals(1, PushRuleValidator.parseUserRule(RuleKind.OVERRIDE, "r", Json.parse(body)).conditions().size());
        assertEquals(0, PushRuleValidator.parseUserRule(RuleKind.SENDER, "@s:x", Json.parse(body)).conditions().size());
        assertEquals(null, PushRuleValidator.parseUserRule(RuleKind.OVERRIDE, "r", Json.parse(body)).pattern());
    }

    @Test
    void actionsBodyIsValidated() {
        assertEquals(List.of(PushAction.NOTIFY, PushAction.highlight()),
                PushRuleValidator.parseActions(Json.parse("['notify', {set_tweak: 'highlight'}]")));
        InvalidPushRuleException e = assertThrows(InvalidPushRuleException.class,
                () -> PushRuleValidator.parseActions(Json.parse("['bogus', {set_tweak: 'highlight', value: 1}]")));
        assertEquals(List.of("actions[0]: unknown action \"bogus\"",
                "actions[1]: the value of the highlight tweak must be a boolean"), e.problems());
    }
}

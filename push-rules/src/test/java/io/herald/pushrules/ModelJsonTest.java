package io.herald.pushrules;

import static io.herald.pushrules.Eval.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.pushrules.defaults.ServerDefaults;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Parsing, serialising (GET /pushrules format) and merging rulesets. */
class ModelJsonTest {

    private static JsonNode specExample() throws Exception {
        try (InputStream in = ModelJsonTest.class.getResourceAsStream("/spec-push-ruleset-example.json")) {
            return PushRulesJson.MAPPER.readTree(in);
        }
    }

    @Test
    void specExampleRulesetRoundTrips() throws Exception {
        JsonNode example = specExample();
        PushRuleSet rs = PushRulesJson.parseRuleset(example);
        assertEquals(2, rs.override().size());
        assertEquals(6, rs.underride().size());
        JsonNode back = PushRulesJson.toJson(rs);
        for (String kind : List.of("override", "room", "sender", "underride")) {
            assertEquals(example.get(kind), back.get(kind), kind);
        }
        assertEquals(Json.parse("[]"), back.get("content"));
        // parse(serialise(x)) == x
        assertEquals(rs, PushRulesJson.parseRuleset(back));
    }

    @Test
    void specExampleEvaluatesAsListed() throws Exception {
        PushRuleSet rs = PushRulesJson.parseRuleset(specExample());
        EvaluationResult r = Eval.run(rs, "{type: 'm.room.message', sender: '@bob:example.com', content: {}}", 2,
                null, "@alice:example.com", null);
        assertEquals(".m.rule.room_one_to_one", r.ruleId());
        assertEquals(RuleKind.UNDERRIDE, r.kind());
        assertEquals(Json.parse("{sound: 'default', highlight: false}"), r.toJson().get("tweaks"));
    }

    @Test
    void globalWrapperAndMapInputAreAccepted() {
        PushRuleSet bare = PushRulesJson.parseRuleset(Json.parse("{override: [{rule_id: 'a', actions: []}]}"));
        PushRuleSet wrapped = PushRulesJson.parseRuleset(
                Json.parse("{global: {override: [{rule_id: 'a', actions: []}]}}"));
        PushRuleSet fromMap = PushRules.parseRuleset(Map.of("override", List.of(Map.of("rule_id", "a",
                "actions", List.of()))));
        assertEquals(bare, wrapped);
        assertEquals(bare, fromMap);
        assertEquals(Json.parse("{global: {override: [{rule_id: 'a', default: false, enabled: true, actions: [],"
                + " conditions: []}], content: [], room: [], sender: [], underride: []}}"),
                PushRulesJson.toGlobalJson(bare));
    }

    @Test
    void unknownKindsAreSkippedAndUnknownConditionsAndActionsKept() {
        PushRuleSet rs = PushRulesJson.parseRuleset(Json.parse("{postcontent: [{rule_id: 'x', actions: []}],"
                + " override: [{rule_id: 'u', actions: ['org.example.act', {set_tweak: 'x', value: 1, extra: 2}],"
                + " conditions: [{kind: 'org.example.cond', foo: [1, 2]}]}]}"));
        assertEquals(1, rs.size());
        JsonNode rule = PushRulesJson.toJson(rs).get("override").get(0);
        assertEquals(Json.parse("[{kind: 'org.example.cond', foo: [1, 2]}]"), rule.get("conditions"));
        assertEquals(Json.parse("['org.example.act', {set_tweak: 'x', value: 1}]"), rule.get("actions"));
        assertInstanceOf(PushAction.Other.class, rs.override().get(0).actions().get(0));
    }

    @Test
    void contentRulesSerialiseTheirPatternAndRoomRulesNoConditions() {
        PushRuleSet rs = new PushRuleSet(null, List.of(PushRule.content("cake", "cake*lie", List.of())),
                List.of(PushRule.simple("!r:x", List.of(PushAction.NOTIFY))), null, null);
        JsonNode json = PushRulesJson.toJson(rs);
        assertEquals(Json.parse("{rule_id: 'cake', default: false, enabled: true, actions: [], pattern: 'cake*lie'}"),
                json.get("content").get(0));
        assertEquals(Json.parse("{rule_id: '!r:x', default: false, enabled: true, actions: ['notify']}"),
                json.get("room").get(0));
    }

    @Test
    void structuralErrorsNameTheRule() {
        InvalidPushRuleException e = assertThrows(InvalidPushRuleException.class,
                () -> PushRulesJson.parseRuleset(Json.parse("{override: [{rule_id: 'r', actions: 'notify'}]}")));
        assertEquals("rule r: actions must be an array", e.getMessage());
        e = assertThrows(InvalidPushRuleException.class,
                () -> PushRulesJson.parseRuleset(Json.parse("{override: {}}")));
        assertEquals("ruleset.override must be an array", e.getMessage());
        e = assertThrows(InvalidPushRuleException.class,
                () -> PushRulesJson.parseRuleset(Json.parse("{underride: [{actions: []}]}")));
        assertEquals("underride[0].rule_id must be a string", e.getMessage());
        e = assertThrows(InvalidPushRuleException.class,
                () -> PushRulesJson.parseRuleset(Json.parse("{content: [{rule_id: 'c', actions: [], pattern: 1}]}")));
        assertEquals("rule c: pattern must be a string", e.getMessage());
    }

    private static List<String> ids(PushRuleSet rs) {
        return rs.inOrder().stream().map(e -> e.getKey() + ":" + e.getValue().ruleId()).collect(Collectors.toList());
    }

    @Test
    void mergeUsesTheEffectiveOrder() {
        PushRuleSet user = PushRulesJson.parseRuleset(Json.parse("{"
                + "override: [{rule_id: 'uo1', actions: []}, {rule_id: 'uo2', actions: []}],"
                + "content: [{rule_id: 'uc', pattern: 'x', actions: []}],"
                + "room: [{rule_id: '!r:x', actions: []}],"
                + "sender: [{rule_id: '@s:x', actions: []}],"
                + "underride: [{rule_id: 'uu', actions: []}]}"));
        PushRuleSet merged = PushRules.effective(DefaultsProfile.LEGACY, ALICE, user, null);
        List<String> ids = ids(merged);
        assertEquals(List.of("override:.m.rule.master", "override:uo1", "override:uo2",
                "override:.m.rule.suppress_notices"), ids.subList(0, 4));
        int uc = ids.indexOf("content:uc");
        assertEquals("content:.m.rule.contains_user_name", ids.get(uc + 1));
        assertEquals("room:!r:x", ids.get(uc + 2));
        assertEquals("sender:@s:x", ids.get(uc + 3));
        assertEquals("underride:uu", ids.get(uc + 4));
        assertEquals("underride:.m.rule.call", ids.get(uc + 5));
        assertEquals(user.size() + ServerDefaults.ruleset(DefaultsProfile.LEGACY, ALICE).size(), merged.size());
    }

    @Test
    void userRuleBeatsServerDefaultOfTheSameKind() {
        PushRuleSet user = PushRulesJson.parseRuleset(Json.parse("{underride: [{rule_id: 'quiet-messages',"
                + " actions: [], conditions: [{kind: 'event_match', key: 'type', pattern: 'm.room.message'}]}]}"));
        EvaluationResult r = Eval.run(PushRules.effective(DefaultsProfile.SPEC, ALICE, user, null),
                "{type: 'm.room.message', sender: '@b:x', content: {}}", 2, null, ALICE, null);
        assertEquals("quiet-messages", r.ruleId());
    }

    @Test
    void overridesChangeEnabledAndActionsOfServerDefaults() {
        Map<RuleKey, RuleOverride> overrides = Map.of(
                new RuleKey(RuleKind.UNDERRIDE, ServerDefaults.MESSAGE), RuleOverride.enabled(false),
                new RuleKey(RuleKind.UNDERRIDE, ServerDefaults.CALL),
                RuleOverride.actions(List.of(PushAction.NOTIFY, PushAction.sound("bell"))),
                new RuleKey(RuleKind.OVERRIDE, ServerDefaults.MESSAGE), RuleOverride.enabled(true)); // wrong kind: no-op
        PushRuleSet rs = PushRules.effective(DefaultsProfile.SPEC, ALICE, null, overrides);
        assertEquals(false, rs.find(RuleKind.UNDERRIDE, ServerDefaults.MESSAGE).orElseThrow().enabled());
        assertTrue(rs.find(RuleKind.UNDERRIDE, ServerDefaults.MESSAGE).orElseThrow().isDefault());
        assertEquals("bell", Eval.run(rs, "{type: 'm.call.invite', sender: '@b:x'}", 5, null, ALICE, null).sound());
        assertEquals(null, Eval.run(rs, "{type: 'm.room.message', sender: '@b:x', content: {}}", 5, null, ALICE,
                null).ruleId());
    }
}

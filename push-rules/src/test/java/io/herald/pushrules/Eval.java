package io.herald.pushrules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Test helper: evaluate relaxed-JSON inputs. */
final class Eval {
    static final String ALICE = "@alice:example.org";
    static final String BOB = "@bob:example.org";

    private Eval() {
    }

    static EvaluationResult run(PushRuleSet rules, String event, long members, String powerLevels, String userId,
                                String displayName) {
        RuleSetCompiler compiler = new RuleSetCompiler(0);
        CompiledRuleSet compiled = compiler.compile(rules, userId);
        JsonNode pl = powerLevels == null ? null : Json.parse(powerLevels);
        return compiled.evaluate(PushEvent.of(Json.parse(event)), RoomContext.of(members, pl),
                Recipient.of(userId, displayName));
    }

    static EvaluationResult defaults(DefaultsProfile profile, String event, long members, String powerLevels,
                                     String displayName) {
        return run(PushRules.serverDefaults(profile, ALICE), event, members, powerLevels, ALICE, displayName);
    }

    /** A ruleset with one override rule "test" (notify) with this single condition. */
    static PushRuleSet oneCondition(String condition) {
        ObjectNode rule = (ObjectNode) Json.parse("{rule_id: 'test', default: false, enabled: true, actions: ['notify']}");
        ArrayNode conds = rule.putArray("conditions");
        conds.add(Json.parse(condition));
        ObjectNode rs = PushRulesJson.MAPPER.createObjectNode();
        rs.putArray("override").add(rule);
        return PushRulesJson.parseRuleset(rs);
    }

    /** Whether the single condition matches the event (sender bob, recipient alice). */
    static boolean condition(String condition, String event, long members, String powerLevels, String displayName) {
        return run(oneCondition(condition), event, members, powerLevels, ALICE, displayName).matched();
    }

    static boolean condition(String condition, String event) {
        return condition(condition, event, 5, null, null);
    }
}

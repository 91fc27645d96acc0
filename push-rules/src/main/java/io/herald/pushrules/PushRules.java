package io.herald.pushrules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.pushrules.defaults.ServerDefaults;
import java.util.List;
import java.util.Map;

/**
 * Entry point: one static method per task, delegating to the classes that do the work.
 *
 * <pre>{@code
 * PushRuleSet rules = PushRules.effective(DefaultsProfile.SPEC, "@alice:hs", userRules, overrides);
 * CompiledRuleSet compiled = PushRules.compile(rules, "@alice:hs");           // cached by content
 * PushEvent event = PushEvent.of(eventJson);                                  // flatten once per event
 * RoomContext room = RoomContext.of(joinedMembers, powerLevelsContent);
 * EvaluationResult r = PushRules.evaluate(compiled, event, room, Recipient.of("@alice:hs", "Alice"));
 * }</pre>
 */
public final class PushRules {

    private PushRules() {
    }

    /** Parses a Matrix ruleset ({@code global} object or {@code {"global": {...}}}). */
    public static PushRuleSet parseRuleset(JsonNode json) {
        return PushRulesJson.parseRuleset(json);
    }

    /** Parses a Matrix ruleset given as a map. */
    public static PushRuleSet parseRuleset(Map<String, ?> json) {
        return PushRulesJson.parseRuleset(json);
    }

    /** The {@code global} ruleset object in Matrix form ({@code GET /pushrules/global/}). */
    public static ObjectNode toJson(PushRuleSet ruleset) {
        return PushRulesJson.toJson(ruleset);
    }

    /** {@code {"global": ...}} ({@code GET /pushrules/}, {@code m.push_rules} account data). */
    public static ObjectNode toGlobalJson(PushRuleSet ruleset) {
        return PushRulesJson.toGlobalJson(ruleset);
    }

    /** The server-default rules of a profile for a user. */
    public static PushRuleSet serverDefaults(DefaultsProfile profile, String userId) {
        return ServerDefaults.ruleset(profile, userId);
    }

    /** User rules merged with the server defaults in the effective order, with per-user default overrides. */
    public static PushRuleSet effective(DefaultsProfile profile, String userId, PushRuleSet userRules,
                                        Map<RuleKey, RuleOverride> overrides) {
        return ServerDefaults.effective(profile, userId, userRules, overrides);
    }

    /** Compiles (cached by content, templated for the user; see {@link RuleSetCompiler}). */
    public static CompiledRuleSet compile(PushRuleSet ruleset, String userId) {
        return RuleSetCompiler.shared().compile(ruleset, userId);
    }

    /** One event, one user. */
    public static EvaluationResult evaluate(CompiledRuleSet rules, PushEvent event, RoomContext room,
                                            Recipient recipient) {
        return rules.evaluate(event, room, recipient);
    }

    /** One event, many members (fan-out, memoised per distinct ruleset). */
    public static List<EvaluationResult> evaluateAll(PushEvent event, RoomContext room, List<Member> members) {
        return PushRuleEvaluator.evaluateAll(event, room, members);
    }

    /** The CLI / {@code POST /v1/push-rules/evaluate} contract: response or {@code {"error": ...}}. */
    public static ObjectNode evaluateJson(JsonNode request) {
        return JsonEvaluator.shared().evaluateOrError(request);
    }

    /** Problems with a {@code PUT} of a user rule (empty = valid). */
    public static List<String> validate(RuleKind kind, String ruleId, JsonNode body) {
        return PushRuleValidator.validate(kind, ruleId, body);
    }
}

package io.herald.pushrules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Matrix JSON ↔ model: rulesets ({@code GET /pushrules/global/}), rules, actions.
 *
 * <p>Parsing is lenient where Matrix data in the wild is (missing {@code enabled} = true, missing {@code default}
 * = false, unknown kinds such as {@code postcontent} skipped, unknown condition kinds and actions kept) and strict
 * about structure (wrong JSON types are an {@link InvalidPushRuleException} naming the offending rule). Use
 * {@link PushRuleValidator} for the stricter checks of a client's {@code PUT}.
 */
public final class PushRulesJson {

    /** A plain shared mapper (thread-safe once configured; do not reconfigure). */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private PushRulesJson() {
    }

    /**
     * Parses a ruleset: the {@code global} object ({@code {"override": [...], ...}}) or a whole
     * {@code GET /pushrules/} body / {@code m.push_rules} content ({@code {"global": {...}}}).
     */
    public static PushRuleSet parseRuleset(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidPushRuleException("ruleset must be a JSON object");
        }
        JsonNode ruleset = node;
        JsonNode global = node.get("global");
        if (global != null && global.isObject() && !hasAnyKind(node)) {
            ruleset = global;
        }
        Map<RuleKind, List<PushRule>> m = new EnumMap<>(RuleKind.class);
        for (RuleKind kind : RuleKind.values()) {
            JsonNode arr = ruleset.get(kind.wireName());
            if (arr == null || arr.isNull()) {
                continue;
            }
            if (!arr.isArray()) {
                throw new InvalidPushRuleException("ruleset." + kind.wireName() + " must be an array");
            }
            List<PushRule> rules = new ArrayList<>(arr.size());
            for (int i = 0; i < arr.size(); i++) {
                rules.add(parseRule(arr.get(i), kind.wireName() + "[" + i + "]"));
            }
            m.put(kind, rules);
        }
        return PushRuleSet.of(m);
    }

    /** Parses a ruleset from a Jackson-convertible map (e.g. account data read as {@code Map<String, Object>}). */
    public static PushRuleSet parseRuleset(Map<String, ?> ruleset) {
        return parseRuleset(MAPPER.<JsonNode>valueToTree(ruleset));
    }

    private static boolean hasAnyKind(JsonNode node) {
        for (RuleKind kind : RuleKind.values()) {
            if (node.has(kind.wireName())) {
                return true;
            }
        }
        return false;
    }

    /** Parses one rule object ({@code rule_id} and {@code actions} required). */
    public static PushRule parseRule(JsonNode node) {
        return parseRule(node, "rule");
    }

    private static PushRule parseRule(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new InvalidPushRuleException(where + " must be a JSON object");
        }
        JsonNode id = node.get("rule_id");
        if (id == null || !id.isTextual()) {
            throw new InvalidPushRuleException(where + ".rule_id must be a string");
        }
        String label = "rule " + id.textValue();
        List<PushAction> actions = parseActions(node.get("actions"), label);
        boolean enabled = bool(node.get("enabled"), true, label + ": enabled");
        boolean isDefault = bool(node.get("default"), false, label + ": default");
        List<PushCondition> conditions = List.of();
        JsonNode conds = node.get("conditions");
        if (conds != null && !conds.isNull()) {
            if (!conds.isArray()) {
                throw new InvalidPushRuleException(label + ": conditions must be an array");
            }
            conditions = new ArrayList<>(conds.size());
            for (JsonNode c : conds) {
                if (!c.isObject()) {
                    throw new InvalidPushRuleException(label + ": each condition must be a JSON object");
                }
                conditions.add(PushCondition.fromJson(c));
            }
        }
        String pattern = null;
        JsonNode p = node.get("pattern");
        if (p != null && !p.isNull()) {
            if (!p.isTextual()) {
                throw new InvalidPushRuleException(label + ": pattern must be a string");
            }
            pattern = p.textValue();
        }
        return new PushRule(id.textValue(), isDefault, enabled, actions, conditions, pattern);
    }

    private static boolean bool(JsonNode n, boolean dflt, String what) {
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new InvalidPushRuleException(what + " must be a boolean");
        }
        return n.booleanValue();
    }

    /** Parses an {@code actions} array (every element kept; see {@link PushAction#fromJson}). */
    public static List<PushAction> parseActions(JsonNode node) {
        return parseActions(node, "rule");
    }

    private static List<PushAction> parseActions(JsonNode node, String label) {
        if (node == null || !node.isArray()) {
            throw new InvalidPushRuleException(label + ": actions must be an array");
        }
        List<PushAction> out = new ArrayList<>(node.size());
        for (JsonNode a : node) {
            out.add(PushAction.fromJson(a));
        }
        return out;
    }

    /** The {@code global} ruleset object: {@code {"override": [...], "content": [...], ...}}, all five kinds. */
    public static ObjectNode toJson(PushRuleSet ruleset) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        for (RuleKind kind : RuleKind.values()) {
            ArrayNode arr = o.putArray(kind.wireName());
            for (PushRule r : ruleset.rules(kind)) {
                arr.add(toJson(kind, r));
            }
        }
        return o;
    }

    /** {@code {"global": ruleset}} as returned by {@code GET /pushrules/} and stored as {@code m.push_rules}. */
    public static ObjectNode toGlobalJson(PushRuleSet ruleset) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("global", toJson(ruleset));
        return o;
    }

    /**
     * One rule in Matrix form ({@code GET /pushrules/global/{kind}/{ruleId}}): {@code rule_id}, {@code default},
     * {@code enabled}, {@code actions}, plus {@code conditions} for override/underride (and for other kinds only
     * when present) and {@code pattern} when present.
     */
    public static ObjectNode toJson(RuleKind kind, PushRule rule) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("rule_id", rule.ruleId());
        o.put("default", rule.isDefault());
        o.put("enabled", rule.enabled());
        o.set("actions", actionsToJson(rule.actions()));
        if (kind.hasConditions() || !rule.conditions().isEmpty()) {
            ArrayNode conds = o.putArray("conditions");
            for (PushCondition c : rule.conditions()) {
                conds.add(c.toJson());
            }
        }
        if (rule.pattern() != null) {
            o.put("pattern", rule.pattern());
        }
        return o;
    }

    /** An {@code actions} array. */
    public static ArrayNode actionsToJson(List<PushAction> actions) {
        ArrayNode arr = JsonNodeFactory.instance.arrayNode(actions.size());
        for (PushAction a : actions) {
            arr.add(a.toJson());
        }
        return arr;
    }
}

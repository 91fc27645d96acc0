package io.herald.pushrules;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.pushrules.conditions.RoomMemberCount;
import io.herald.pushrules.event.FlatValue;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a client's push rule ({@code PUT /pushrules/global/{kind}/{ruleId}} body, or {@code .../actions}) and
 * explains every problem in a message fit for an {@code M_INVALID_PARAM} error.
 *
 * <p>Rules: the rule ID is non-empty, does not start with {@code .} (reserved for server-default rules) and
 * contains no {@code /} or {@code \}; {@code actions} is required, each action is {@code "notify"}, the historical
 * {@code "dont_notify"}/{@code "coalesce"} (accepted, ignored) or a {@code set_tweak} object ({@code highlight}'s
 * value must be a boolean, {@code sound}'s a string); override/underride {@code conditions} must be objects with a
 * string {@code kind} and the parameters their kind requires ({@code event_match}: string {@code key} and
 * {@code pattern}; {@code event_property_is/contains}: string {@code key} and a {@code value} that is a string, an
 * integer in ±(2^53-1), a boolean or null; {@code room_member_count}: {@code is} like {@code "2"}, {@code "<=10"};
 * {@code sender_notification_permission}: string {@code key}); unknown condition kinds are accepted (they never
 * match); content rules need a non-empty string {@code pattern}.
 */
public final class PushRuleValidator {

    private PushRuleValidator() {
    }

    /** Problems with a rule ID chosen by a client (empty list = valid). */
    public static List<String> validateRuleId(String ruleId) {
        List<String> p = new ArrayList<>();
        if (ruleId == null || ruleId.isEmpty()) {
            p.add("rule_id must not be empty");
            return p;
        }
        if (ruleId.startsWith(".")) {
            p.add("rule_id must not start with '.': such IDs are reserved for server-default rules");
        }
        if (ruleId.indexOf('/') >= 0 || ruleId.indexOf('\\') >= 0) {
            p.add("rule_id must not contain '/' or '\\'");
        }
        return p;
    }

    /** Problems with an {@code actions} array. */
    public static List<String> validateActions(JsonNode actions) {
        List<String> p = new ArrayList<>();
        if (actions == null || actions.isMissingNode()) {
            p.add("actions is required");
            return p;
        }
        if (!actions.isArray()) {
            p.add("actions must be an array");
            return p;
        }
        for (int i = 0; i < actions.size(); i++) {
            JsonNode a = actions.get(i);
            String at = "actions[" + i + "]";
            if (a.isTextual()) {
                String s = a.textValue();
                if (!s.equals("notify") && !s.equals("dont_notify") && !s.equals("coalesce")) {
                    p.add(at + ": unknown action \"" + s + "\"");
                }
            } else if (a.isObject()) {
                JsonNode t = a.get("set_tweak");
                if (t == null || !t.isTextual() || t.textValue().isEmpty()) {
                    p.add(at + ": an object action must have a non-empty string set_tweak");
                    continue;
                }
                JsonNode v = a.get("value");
                if ("highlight".equals(t.textValue()) && v != null && !v.isNull() && !v.isBoolean()) {
                    p.add(at + ": the value of the highlight tweak must be a boolean");
                }
                if ("sound".equals(t.textValue()) && (v == null || !v.isTextual())) {
                    p.add(at + ": the value of the sound tweak must be a string");
                }
            } else {
                p.add(at + ": an action must be a string or an object");
            }
        }
        return p;
    }

    /** Problems with a {@code conditions} array. */
    public static List<String> validateConditions(JsonNode conditions) {
        List<String> p = new ArrayList<>();
        if (conditions == null || conditions.isNull() || conditions.isMissingNode()) {
            return p;
        }
        if (!conditions.isArray()) {
            p.add("conditions must be an array");
            return p;
        }
        for (int i = 0; i < conditions.size(); i++) {
            validateCondition(conditions.get(i), "conditions[" + i + "]", p);
        }
        return p;
    }

    private static void validateCondition(JsonNode c, String at, List<String> p) {
        if (!c.isObject()) {
            p.add(at + ": a condition must be an object");
            return;
        }
        JsonNode kindNode = c.get("kind");
        if (kindNode == null || !kindNode.isTextual() || kindNode.textValue().isEmpty()) {
            p.add(at + ": kind is required and must be a non-empty string");
            return;
        }
        String kind = kindNode.textValue();
        String where = at + " (" + kind + ")";
        switch (kind) {
            case PushCondition.EVENT_MATCH:
                requireString(c, "key", where, p);
                requireString(c, "pattern", where, p);
                break;
            case PushCondition.EVENT_PROPERTY_IS:
            case PushCondition.EVENT_PROPERTY_CONTAINS:
                requireString(c, "key", where, p);
                if (!c.has("value")) {
                    p.add(where + ": value is required");
                } else if (FlatValue.conditionValue(c.get("value")) == null) {
                    p.add(where + ": value must be a string, an integer between -(2^53)+1 and 2^53-1, a boolean"
                            + " or null (got " + abbreviate(c.get("value").toString()) + ")");
                }
                break;
            case PushCondition.ROOM_MEMBER_COUNT: {
                JsonNode is = c.get("is");
                if (is == null || !is.isTextual()) {
                    p.add(where + ": is is required and must be a string such as \"2\" or \">=10\"");
                } else if (!RoomMemberCount.isValid(is.textValue())) {
                    p.add(where + ": is must be a decimal integer optionally prefixed by ==, <, >, <= or >= (got \""
                            + abbreviate(is.textValue()) + "\")");
                }
                break;
            }
            case PushCondition.SENDER_NOTIFICATION_PERMISSION:
                requireString(c, "key", where, p);
                break;
            default:
                // contains_display_name has no parameters; unknown kinds are stored and never match.
                break;
        }
    }

    private static void requireString(JsonNode c, String property, String where, List<String> p) {
        JsonNode v = c.get(property);
        if (v == null || !v.isTextual()) {
            p.add(where + ": " + property + " is required and must be a string");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 61) + "..." : s;
    }

    /**
     * Problems with a {@code PUT /pushrules/global/{kind}/{ruleId}} request (body: {@code actions}, plus
     * {@code conditions} for override/underride or {@code pattern} for content).
     */
    public static List<String> validate(RuleKind kind, String ruleId, JsonNode body) {
        List<String> p = new ArrayList<>(validateRuleId(ruleId));
        if (kind == null) {
            p.add("kind must be one of override, content, room, sender, underride");
            return p;
        }
        if (body == null || !body.isObject()) {
            p.add("the request body must be a JSON object");
            return p;
        }
        p.addAll(validateActions(body.get("actions")));
        if (kind.hasConditions()) {
            p.addAll(validateConditions(body.get("conditions")));
        }
        if (kind == RuleKind.CONTENT) {
            JsonNode pattern = body.get("pattern");
            if (pattern == null || !pattern.isTextual()) {
                p.add("pattern is required for content rules and must be a string");
            } else if (pattern.textValue().isEmpty()) {
                p.add("pattern must not be empty");
            }
        }
        return p;
    }

    /**
     * Validates a {@code PUT} and builds the new user rule (enabled, non-default); conditions are kept only for
     * override/underride and the pattern only for content rules.
     *
     * @throws InvalidPushRuleException listing every problem
     */
    public static PushRule parseUserRule(RuleKind kind, String ruleId, JsonNode body) {
        List<String> p = validate(kind, ruleId, body);
        if (!p.isEmpty()) {
            throw new InvalidPushRuleException(p);
        }
        List<PushAction> actions = PushRulesJson.parseActions(body.get("actions"));
        List<PushCondition> conditions = new ArrayList<>();
        if (kind.hasConditions() && body.has("conditions") && body.get("conditions").isArray()) {
            for (JsonNode c : body.get("conditions")) {
                conditions.add(PushCondition.fromJson(c));
            }
        }
        String pattern = kind == RuleKind.CONTENT ? body.get("pattern").textValue() : null;
        return new PushRule(ruleId, false, true, actions, conditions, pattern);
    }

    /** Validates an {@code actions} body ({@code PUT .../actions}) and parses it. */
    public static List<PushAction> parseActions(JsonNode actions) {
        List<String> p = validateActions(actions);
        if (!p.isEmpty()) {
            throw new InvalidPushRuleException(p);
        }
        return PushRulesJson.parseActions(actions);
    }
}

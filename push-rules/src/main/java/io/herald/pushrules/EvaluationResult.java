package io.herald.pushrules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of evaluating one event for one user: the winning rule's actions (historical {@code dont_notify} /
 * {@code coalesce} removed), its tweaks as a map ({@code set_tweak: highlight} without value = {@code true}; a later
 * tweak of the same name wins), and the rule's ID and kind ({@code null} when no rule matched or the event is the
 * user's own). Immutable; compiled rulesets precompute one per rule, so evaluation does not allocate.
 */
public final class EvaluationResult {

    /** No rule matched (or the user sent the event): do not notify. */
    public static final EvaluationResult NO_MATCH = new EvaluationResult(List.of(), Map.of(), null, null);

    private final List<PushAction> actions;
    private final Map<String, JsonNode> tweaks;
    private final String ruleId;
    private final RuleKind kind;
    private final boolean notify;
    private final String json;

    private EvaluationResult(List<PushAction> actions, Map<String, JsonNode> tweaks, String ruleId, RuleKind kind) {
        this.actions = actions;
        this.tweaks = tweaks;
        this.ruleId = ruleId;
        this.kind = kind;
        this.notify = actions.contains(PushAction.NOTIFY);
        this.json = buildJson().toString();
    }

    /** The result of a matched rule. */
    public static EvaluationResult of(RuleKind kind, PushRule rule) {
        Objects.requireNonNull(kind, "kind");
        List<PushAction> effective = new ArrayList<>(rule.actions().size());
        Map<String, JsonNode> tweaks = new LinkedHashMap<>();
        for (PushAction a : rule.actions()) {
            if (a instanceof PushAction.Other && ((PushAction.Other) a).isHistorical()) {
                continue;
            }
            effective.add(a);
            if (a instanceof PushAction.SetTweak) {
                PushAction.SetTweak t = (PushAction.SetTweak) a;
                tweaks.remove(t.tweak()); // keep insertion order of the last occurrence
                tweaks.put(t.tweak(), t.effectiveValue());
            }
        }
        return new EvaluationResult(List.copyOf(effective), Collections.unmodifiableMap(tweaks), rule.ruleId(), kind);
    }

    /** The actions to perform (historical actions removed; may be empty even when a rule matched). */
    public List<PushAction> actions() {
        return actions;
    }

    /** Tweaks by name ({@code sound}, {@code highlight}, any other passed through). */
    public Map<String, JsonNode> tweaks() {
        return tweaks;
    }

    /** The matching rule's ID, or {@code null}. */
    public String ruleId() {
        return ruleId;
    }

    /** The matching rule's kind, or {@code null}. */
    public RuleKind kind() {
        return kind;
    }

    /** Whether some rule matched (its actions may still be empty, e.g. {@code .m.rule.suppress_notices}). */
    public boolean matched() {
        return ruleId != null;
    }

    /** Whether the actions contain {@code notify}. */
    public boolean shouldNotify() {
        return notify;
    }

    /** Whether the {@code highlight} tweak is {@code true}. */
    public boolean highlight() {
        JsonNode h = tweaks.get("highlight");
        return h != null && h.isBoolean() && h.booleanValue();
    }

    /** The {@code sound} tweak if it is a string, else {@code null}. */
    public String sound() {
        JsonNode s = tweaks.get("sound");
        return s != null && s.isTextual() ? s.textValue() : null;
    }

    /** {@code {"actions": [...], "tweaks": {...}, "rule_id": ..., "kind": ...}} (a fresh node). */
    public ObjectNode toJson() {
        return buildJson();
    }

    /** {@link #toJson()} as compact text (precomputed). */
    public String toJsonString() {
        return json;
    }

    private ObjectNode buildJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        ArrayNode a = o.putArray("actions");
        for (PushAction action : actions) {
            a.add(action.toJson());
        }
        ObjectNode t = o.putObject("tweaks");
        tweaks.forEach((k, v) -> t.set(k, v.deepCopy()));
        if (ruleId == null) {
            o.putNull("rule_id");
            o.putNull("kind");
        } else {
            o.put("rule_id", ruleId);
            o.put("kind", kind.wireName());
        }
        return o;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof EvaluationResult)) {
            return false;
        }
        EvaluationResult r = (EvaluationResult) o;
        return actions.equals(r.actions) && tweaks.equals(r.tweaks) && Objects.equals(ruleId, r.ruleId)
                && kind == r.kind;
    }

    @Override
    public int hashCode() {
        return Objects.hash(actions, tweaks, ruleId, kind);
    }

    @Override
    public String toString() {
        return json;
    }
}

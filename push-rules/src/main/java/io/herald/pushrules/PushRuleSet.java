package io.herald.pushrules;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code global} ruleset: five ordered lists, one per kind. Evaluation tries the kinds in {@link RuleKind}
 * order and each list in order, so a ruleset built by {@link io.herald.pushrules.defaults.ServerDefaults#effective} (or served by
 * {@code GET /pushrules/}) is evaluated exactly as listed. Immutable; value equality.
 */
public record PushRuleSet(List<PushRule> override, List<PushRule> content, List<PushRule> room,
                          List<PushRule> sender, List<PushRule> underride) {

    private static final PushRuleSet EMPTY = new PushRuleSet(List.of(), List.of(), List.of(), List.of(), List.of());

    public PushRuleSet {
        override = copy(override);
        content = copy(content);
        room = copy(room);
        sender = copy(sender);
        underride = copy(underride);
    }

    private static List<PushRule> copy(List<PushRule> rules) {
        return rules == null ? List.of() : List.copyOf(rules);
    }

    public static PushRuleSet empty() {
        return EMPTY;
    }

    /** Builds a ruleset from per-kind lists (missing kinds are empty). */
    public static PushRuleSet of(Map<RuleKind, List<PushRule>> rules) {
        return new PushRuleSet(rules.get(RuleKind.OVERRIDE), rules.get(RuleKind.CONTENT), rules.get(RuleKind.ROOM),
                rules.get(RuleKind.SENDER), rules.get(RuleKind.UNDERRIDE));
    }

    /** The rules of one kind, in order. */
    public List<PushRule> rules(RuleKind kind) {
        switch (Objects.requireNonNull(kind, "kind")) {
            case OVERRIDE:
                return override;
            case CONTENT:
                return content;
            case ROOM:
                return room;
            case SENDER:
                return sender;
            default:
                return underride;
        }
    }

    /** A copy with the rules of one kind replaced. */
    public PushRuleSet with(RuleKind kind, List<PushRule> rules) {
        Map<RuleKind, List<PushRule>> m = asMap();
        m.put(kind, rules);
        return of(m);
    }

    /** Per-kind lists in evaluation order (a mutable copy of the map; the lists are immutable). */
    public Map<RuleKind, List<PushRule>> asMap() {
        Map<RuleKind, List<PushRule>> m = new EnumMap<>(RuleKind.class);
        for (RuleKind k : RuleKind.values()) {
            m.put(k, rules(k));
        }
        return m;
    }

    /** The rule with this ID in this kind. */
    public Optional<PushRule> find(RuleKind kind, String ruleId) {
        for (PushRule r : rules(kind)) {
            if (r.ruleId().equals(ruleId)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** All rules in evaluation order, with their kinds. */
    public List<Map.Entry<RuleKind, PushRule>> inOrder() {
        List<Map.Entry<RuleKind, PushRule>> out = new ArrayList<>();
        for (RuleKind k : RuleKind.values()) {
            for (PushRule r : rules(k)) {
                out.add(Map.entry(k, r));
            }
        }
        return out;
    }

    /** Total number of rules. */
    public int size() {
        return override.size() + content.size() + room.size() + sender.size() + underride.size();
    }
}

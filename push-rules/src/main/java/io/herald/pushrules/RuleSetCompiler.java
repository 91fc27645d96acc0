package io.herald.pushrules;

import com.fasterxml.jackson.databind.node.NullNode;
import io.herald.pushrules.conditions.Condition;
import io.herald.pushrules.conditions.Conditions;
import io.herald.pushrules.defaults.ServerDefaults;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiles rulesets, caching them by content.
 *
 * <p>{@link #compile(PushRuleSet, String)} first <em>templates</em> the ruleset relative to its user: a condition
 * whose {@code event_match} pattern or {@code event_property_is/contains} value is exactly the user's ID, and a
 * content rule whose pattern is exactly the user's localpart, become "the recipient's ID / localpart". The result
 * is therefore equal for every user who kept the server defaults (which name the user in
 * {@code .m.rule.invite_for_me} and {@code .m.rule.is_user_mention}), and the cache hands all of them the same
 * {@link CompiledRuleSet} instance: fan-out then evaluates that ruleset once per event. Evaluating a templated
 * ruleset for its own user is exactly equivalent to evaluating the original.
 *
 * <p>Thread-safe. The cache holds at most {@code maxEntries} rulesets and is cleared when it overflows.
 */
public final class RuleSetCompiler {

    private static final RuleSetCompiler SHARED = new RuleSetCompiler(10_000);

    private final ConcurrentHashMap<TemplateKey, CompiledRuleSet> cache = new ConcurrentHashMap<>();
    /** Compiled rules shared between rulesets (the server defaults, mostly): fewer objects, hotter caches. */
    private final ConcurrentHashMap<RuleKeyForIntern, CompiledRule> ruleIntern = new ConcurrentHashMap<>();
    private final int maxEntries;

    public RuleSetCompiler(int maxEntries) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must be >= 0");
        }
        this.maxEntries = maxEntries;
    }

    /** A process-wide compiler (cache of 10,000 rulesets). */
    public static RuleSetCompiler shared() {
        return SHARED;
    }

    /**
     * Compiles a ruleset for a user (see the class comment); {@code userId} may be {@code null} to compile the
     * rules literally, as they are.
     */
    public CompiledRuleSet compile(PushRuleSet ruleset, String userId) {
        Objects.requireNonNull(ruleset, "ruleset");
        TemplateKey key = template(ruleset, userId);
        if (maxEntries == 0) {
            return build(key);
        }
        CompiledRuleSet hit = cache.get(key);
        if (hit != null) {
            return hit;
        }
        if (cache.size() >= maxEntries) {
            cache.clear();
        }
        if (ruleIntern.size() >= maxEntries * 4L + 64) {
            ruleIntern.clear();
        }
        return cache.computeIfAbsent(key, this::build);
    }

    /** Compiles a ruleset literally (no templating; still cached). */
    public CompiledRuleSet compile(PushRuleSet ruleset) {
        return compile(ruleset, null);
    }

    /** Number of cached rulesets. */
    public int cacheSize() {
        return cache.size();
    }

    /** Drops every cached ruleset. */
    public void clear() {
        cache.clear();
        ruleIntern.clear();
    }

    /** The ruleset with the user's own values masked, plus where they were (slots). */
    private record TemplateKey(PushRuleSet masked, List<Long> slots) {
    }

    /** A rule as compiled: kind, masked rule, and which of its conditions (or its pattern) are templated. */
    private record RuleKeyForIntern(RuleKind kind, PushRule rule, List<Boolean> templated) {
    }

    private static long slot(RuleKind kind, int rule, int condition) {
        return ((long) kind.ordinal() << 48) | ((long) rule << 20) | (condition + 1L);
    }

    private static TemplateKey template(PushRuleSet ruleset, String userId) {
        if (userId == null) {
            return new TemplateKey(ruleset, List.of());
        }
        String localpart = ServerDefaults.localpart(userId);
        List<Long> slots = new ArrayList<>(4);
        Map<RuleKind, List<PushRule>> out = null;
        for (RuleKind kind : RuleKind.values()) {
            List<PushRule> rules = ruleset.rules(kind);
            List<PushRule> changed = null;
            for (int i = 0; i < rules.size(); i++) {
                PushRule r = rules.get(i);
                PushRule masked = r;
                if (kind == RuleKind.CONTENT) {
                    if (localpart.equals(r.pattern())) {
                        slots.add(slot(kind, i, -1));
                        masked = r.withPattern(null);
                    }
                } else if (kind.hasConditions()) {
                    List<PushCondition> conds = r.conditions();
                    List<PushCondition> newConds = null;
                    for (int j = 0; j < conds.size(); j++) {
                        PushCondition c = conds.get(j);
                        PushCondition m = maskCondition(c, userId);
                        if (m != c) {
                            slots.add(slot(kind, i, j));
                            if (newConds == null) {
                                newConds = new ArrayList<>(conds);
                            }
                            newConds.set(j, m);
                        }
                    }
                    if (newConds != null) {
                        masked = r.withConditions(newConds);
                    }
                }
                if (masked != r) {
                    if (changed == null) {
                        changed = new ArrayList<>(rules);
                    }
                    changed.set(i, masked);
                }
            }
            if (changed != null) {
                if (out == null) {
                    out = ruleset.asMap();
                }
                out.put(kind, changed);
            }
        }
        return new TemplateKey(out == null ? ruleset : PushRuleSet.of(out), List.copyOf(slots));
    }

    private static PushCondition maskCondition(PushCondition c, String userId) {
        switch (c.kind()) {
            case PushCondition.EVENT_MATCH:
                return c.key() != null && userId.equals(c.pattern())
                        ? c.with("pattern", NullNode.getInstance()) : c;
            case PushCondition.EVENT_PROPERTY_IS:
            case PushCondition.EVENT_PROPERTY_CONTAINS: {
                var v = c.get("value");
                return c.key() != null && v != null && v.isTextual() && userId.equals(v.textValue())
                        ? c.with("value", NullNode.getInstance()) : c;
            }
            default:
                return c;
        }
    }

    private static final CompiledRule NEVER = new CompiledRule("", RuleKind.OVERRIDE, new Condition[0], false,
            EvaluationResult.NO_MATCH);

    /** Compiles one enabled rule; {@link #NEVER} when it can never match. */
    private static CompiledRule compileRule(RuleKind kind, PushRule r, List<Boolean> templated) {
        Condition[] conds;
        switch (kind) {
            case CONTENT:
                conds = new Condition[] {Conditions.contentRule(r.pattern(), templated.get(0))};
                break;
            case ROOM:
                conds = new Condition[] {Conditions.roomRule(r.ruleId())};
                break;
            case SENDER:
                conds = new Condition[] {Conditions.senderRule(r.ruleId())};
                break;
            default:
                List<PushCondition> cs = r.conditions();
                conds = new Condition[cs.size()];
                for (int j = 0; j < cs.size(); j++) {
                    conds[j] = Conditions.compile(cs.get(j), templated.get(j));
                }
        }
        for (Condition c : conds) {
            if (c.isNever()) {
                return NEVER;
            }
        }
        return new CompiledRule(r.ruleId(), kind, conds, ServerDefaults.LEGACY_MENTION_RULES.contains(r.ruleId()),
                EvaluationResult.of(kind, r));
    }

    private CompiledRuleSet build(TemplateKey key) {
        PushRuleSet rs = key.masked();
        List<Long> slots = key.slots();
        List<CompiledRule> out = new ArrayList<>(rs.size());
        for (RuleKind kind : RuleKind.values()) {
            List<PushRule> rules = rs.rules(kind);
            for (int i = 0; i < rules.size(); i++) {
                PushRule r = rules.get(i);
                if (!r.enabled()) {
                    continue;
                }
                List<Boolean> templated = new ArrayList<>(Math.max(1, r.conditions().size()));
                if (kind == RuleKind.CONTENT) {
                    templated.add(slots.contains(slot(kind, i, -1)));
                } else if (kind.hasConditions()) {
                    for (int j = 0; j < r.conditions().size(); j++) {
                        templated.add(slots.contains(slot(kind, i, j)));
                    }
                }
                CompiledRule compiled;
                if (maxEntries == 0) {
                    compiled = compileRule(kind, r, templated);
                } else {
                    RuleKeyForIntern rk = new RuleKeyForIntern(kind, r, templated);
                    compiled = ruleIntern.get(rk);
                    if (compiled == null) {
                        compiled = compileRule(kind, r, templated);
                        if (compiled != NEVER) {
                            CompiledRule prev = ruleIntern.putIfAbsent(rk, compiled);
                            compiled = prev == null ? compiled : prev;
                        }
                    }
                }
                if (compiled != NEVER) {
                    out.add(compiled);
                }
            }
        }
        return new CompiledRuleSet(out.toArray(new CompiledRule[0]), key);
    }
}

package io.herald.pushrules;

import io.herald.pushrules.conditions.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * A ruleset compiled for evaluation: disabled rules and rules that can never match are dropped, globs are
 * compiled, each rule's result is precomputed. User-independent: rules that referred to the compiling user's own ID
 * or localpart are matched against whichever {@link Recipient} is evaluated, so one instance serves every user with
 * the same rules (see {@link RuleSetCompiler}). Immutable and thread-safe.
 *
 * <p>Evaluate it for the user it was compiled for. When the cache returned one instance for several users (their
 * rulesets differ only by their own ID), it stands for each of them and any of them may be the recipient.
 *
 * <p>Equality is by content (the templated ruleset), so equal rulesets compiled separately still share fan-out work.
 */
public final class CompiledRuleSet {

    private final CompiledRule[] rules;
    private final Object key;
    private final int hash;

    CompiledRuleSet(CompiledRule[] rules, Object key) {
        this.rules = rules;
        this.key = key;
        this.hash = key.hashCode();
    }

    /**
     * Evaluates one event for one user: own events never notify; otherwise the first enabled rule (in ruleset
     * order) whose conditions all hold wins; no match = {@link EvaluationResult#NO_MATCH}.
     */
    public EvaluationResult evaluate(PushEvent event, RoomContext room, Recipient recipient) {
        if (recipient.is(event.sender())) {
            return EvaluationResult.NO_MATCH;
        }
        boolean mentions = event.contentHasMentions();
        for (CompiledRule r : rules) {
            if (r.legacyMention && mentions) {
                continue;
            }
            if (r.matches(event, room, recipient)) {
                return r.result;
            }
        }
        return EvaluationResult.NO_MATCH;
    }

    /** Partial evaluation for fan-out: everything that does not depend on the recipient, done once. */
    EventPlan plan(PushEvent event, RoomContext room) {
        boolean mentions = event.contentHasMentions();
        List<CompiledRule> residual = null;
        EvaluationResult terminal = EvaluationResult.NO_MATCH;
        outer:
        for (CompiledRule r : rules) {
            if (r.legacyMention && mentions) {
                continue;
            }
            for (Condition c : r.staticConditions) {
                if (!c.matches(event, room, null)) {
                    continue outer;
                }
            }
            if (r.userConditions.length == 0) {
                terminal = r.result;
                break;
            }
            for (Condition c : r.userConditions) {
                if (!c.possibleFor(event, room)) {
                    continue outer;
                }
            }
            if (residual == null) {
                residual = new ArrayList<>(2);
            }
            residual.add(r);
        }
        return new EventPlan(residual == null ? NO_RULES : residual.toArray(NO_RULES), terminal);
    }

    private static final CompiledRule[] NO_RULES = new CompiledRule[0];

    /** Number of rules kept (enabled and not statically impossible). */
    public int size() {
        return rules.length;
    }

    /** IDs of the kept rules in evaluation order (diagnostics). */
    public List<String> ruleIds() {
        List<String> ids = new ArrayList<>(rules.length);
        for (CompiledRule r : rules) {
            ids.add(r.ruleId);
        }
        return ids;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof CompiledRuleSet && ((CompiledRuleSet) o).hash == hash
                && ((CompiledRuleSet) o).key.equals(key);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}

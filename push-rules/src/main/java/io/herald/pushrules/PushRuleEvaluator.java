package io.herald.pushrules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates events: for one user, or for many members at once (fan-out).
 *
 * <p>Fan-out memoises per event: every distinct ruleset (by content; the {@link RuleSetCompiler} cache makes users
 * with the same rules share one instance) is partially evaluated once: all conditions that do not depend on the
 * recipient are decided, leaving (usually) a single result plus the few rules that also depend on the recipient
 * (user ID, localpart, display name, e.g. {@code .m.rule.is_user_mention} when the event mentions someone). Each
 * member then costs the own-event check plus those residual checks. Results are exactly those of
 * {@link CompiledRuleSet#evaluate} for each member.
 */
public final class PushRuleEvaluator {

    private PushRuleEvaluator() {
    }

    /** One event for one user; see {@link CompiledRuleSet#evaluate}. */
    public static EvaluationResult evaluate(CompiledRuleSet rules, PushEvent event, RoomContext room,
                                            Recipient recipient) {
        return rules.evaluate(event, room, recipient);
    }

    /** One event for many members; the results are in member order. */
    public static List<EvaluationResult> evaluateAll(PushEvent event, RoomContext room, List<Member> members) {
        EvaluationResult[] out = new EvaluationResult[members.size()];
        evaluateAll(event, room, members, out);
        return Arrays.asList(out);
    }

    /** One event for many members, writing {@code out[i]} for {@code members.get(i)} (no list allocation). */
    public static void evaluateAll(PushEvent event, RoomContext room, List<Member> members,
                                   EvaluationResult[] out) {
        if (out.length < members.size()) {
            throw new IllegalArgumentException("out is shorter than members");
        }
        Map<CompiledRuleSet, EventPlan> plans = new HashMap<>();
        String sender = event.sender();
        CompiledRuleSet lastRules = null;
        EventPlan lastPlan = null;
        for (int i = 0, n = members.size(); i < n; i++) {
            Member m = members.get(i);
            Recipient r = m.recipient();
            if (r.is(sender)) {
                out[i] = EvaluationResult.NO_MATCH;
                continue;
            }
            CompiledRuleSet rules = m.rules();
            EventPlan plan;
            if (rules == lastRules) {
                plan = lastPlan;
            } else {
                plan = plans.get(rules);
                if (plan == null) {
                    plan = rules.plan(event, room);
                    plans.put(rules, plan);
                }
                lastRules = rules;
                lastPlan = plan;
            }
            out[i] = plan.resolve(event, room, r);
        }
    }

    /** Fan-out keeping only the members to notify ({@link EvaluationResult#shouldNotify()}), as (member, result). */
    public static List<Map.Entry<Member, EvaluationResult>> notifications(PushEvent event, RoomContext room,
                                                                         List<Member> members) {
        EvaluationResult[] out = new EvaluationResult[members.size()];
        evaluateAll(event, room, members, out);
        List<Map.Entry<Member, EvaluationResult>> list = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            if (out[i].shouldNotify()) {
                list.add(Map.entry(members.get(i), out[i]));
            }
        }
        return list;
    }
}

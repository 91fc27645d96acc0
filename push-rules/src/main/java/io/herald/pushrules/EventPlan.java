package io.herald.pushrules;

import io.herald.pushrules.conditions.Condition;

/**
 * A compiled ruleset partially evaluated for one event in one room: the rules whose static conditions hold but
 * that also have user-dependent conditions (checked per member, in order), then the first rule whose conditions
 * are all static and hold (the result for everyone else), or no match.
 */
final class EventPlan {
    private final CompiledRule[] residual;
    private final EvaluationResult terminal;

    EventPlan(CompiledRule[] residual, EvaluationResult terminal) {
        this.residual = residual;
        this.terminal = terminal;
    }

    EvaluationResult resolve(PushEvent event, RoomContext room, Recipient recipient) {
        outer:
        for (CompiledRule r : residual) {
            for (Condition c : r.userConditions) {
                if (!c.matches(event, room, recipient)) {
                    continue outer;
                }
            }
            return r.result;
        }
        return terminal;
    }

    int residualCount() {
        return residual.length;
    }
}

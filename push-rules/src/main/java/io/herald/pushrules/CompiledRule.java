package io.herald.pushrules;

import io.herald.pushrules.conditions.Condition;

/** One enabled, possibly matching rule with its conditions split into static and user-dependent ones. */
final class CompiledRule {
    final String ruleId;
    final RuleKind kind;
    final Condition[] conditions;
    final Condition[] staticConditions;
    final Condition[] userConditions;
    final boolean legacyMention;
    final EvaluationResult result;

    CompiledRule(String ruleId, RuleKind kind, Condition[] conditions, boolean legacyMention,
                 EvaluationResult result) {
        this.ruleId = ruleId;
        this.kind = kind;
        this.conditions = conditions;
        int users = 0;
        for (Condition c : conditions) {
            if (c.userDependent()) {
                users++;
            }
        }
        this.userConditions = new Condition[users];
        this.staticConditions = new Condition[conditions.length - users];
        int u = 0;
        int s = 0;
        for (Condition c : conditions) {
            if (c.userDependent()) {
                userConditions[u++] = c;
            } else {
                staticConditions[s++] = c;
            }
        }
        this.legacyMention = legacyMention;
        this.result = result;
    }

    boolean matches(PushEvent event, RoomContext room, Recipient recipient) {
        for (Condition c : conditions) {
            if (!c.matches(event, room, recipient)) {
                return false;
            }
        }
        return true;
    }
}

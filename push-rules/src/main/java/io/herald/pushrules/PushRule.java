package io.herald.pushrules;

import java.util.List;
import java.util.Objects;

/**
 * One push rule in Matrix form. {@code conditions} is never {@code null} (absent = empty = always matches); it is
 * only meaningful for override/underride rules. {@code pattern} is {@code null} when absent; it is only meaningful
 * for content rules. Room and sender rules are defined by their {@code ruleId} (a room ID / a user ID).
 */
public record PushRule(String ruleId, boolean isDefault, boolean enabled, List<PushAction> actions,
                       List<PushCondition> conditions, String pattern) {

    public PushRule {
        Objects.requireNonNull(ruleId, "ruleId");
        actions = List.copyOf(Objects.requireNonNull(actions, "actions"));
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
    }

    /** A user-defined (non-default, enabled) override or underride rule. */
    public static PushRule withConditions(String ruleId, List<PushCondition> conditions, List<PushAction> actions) {
        return new PushRule(ruleId, false, true, actions, conditions, null);
    }

    /** A user-defined (non-default, enabled) content rule. */
    public static PushRule content(String ruleId, String pattern, List<PushAction> actions) {
        return new PushRule(ruleId, false, true, actions, List.of(), Objects.requireNonNull(pattern, "pattern"));
    }

    /** A user-defined (non-default, enabled) room or sender rule; {@code ruleId} is the room / user ID. */
    public static PushRule simple(String ruleId, List<PushAction> actions) {
        return new PushRule(ruleId, false, true, actions, List.of(), null);
    }

    public PushRule withEnabled(boolean enabled) {
        return enabled == this.enabled ? this : new PushRule(ruleId, isDefault, enabled, actions, conditions, pattern);
    }

    public PushRule withActions(List<PushAction> actions) {
        return new PushRule(ruleId, isDefault, enabled, actions, conditions, pattern);
    }

    public PushRule withConditions(List<PushCondition> conditions) {
        return new PushRule(ruleId, isDefault, enabled, actions, conditions, pattern);
    }

    public PushRule withPattern(String pattern) {
        return new PushRule(ruleId, isDefault, enabled, actions, conditions, pattern);
    }

    /** Server-default rule IDs start with a dot. */
    public boolean isServerDefaultId() {
        return ruleId.startsWith(".");
    }
}

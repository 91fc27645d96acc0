package io.herald.pushrules;

import java.util.List;

/**
 * A user's change to a server-default rule ({@code PUT .../enabled}, {@code PUT .../actions}); a {@code null}
 * component leaves the default as it is.
 */
public record RuleOverride(Boolean enabled, List<PushAction> actions) {
    public RuleOverride {
        actions = actions == null ? null : List.copyOf(actions);
    }

    public static RuleOverride enabled(boolean enabled) {
        return new RuleOverride(enabled, null);
    }

    public static RuleOverride actions(List<PushAction> actions) {
        return new RuleOverride(null, actions);
    }

    /** Applies this override to a rule. */
    public PushRule applyTo(PushRule rule) {
        PushRule r = rule;
        if (enabled != null) {
            r = r.withEnabled(enabled);
        }
        if (actions != null) {
            r = r.withActions(actions);
        }
        return r;
    }
}

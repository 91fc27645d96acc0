package io.herald.pushrules;

import java.util.Objects;

/** A rule's identity: {@code rule_id} is unique within its kind. */
public record RuleKey(RuleKind kind, String ruleId) {
    public RuleKey {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(ruleId, "ruleId");
    }
}

package io.herald.pushrules;

import java.util.Objects;

/** A room member to evaluate an event for: who they are and their compiled rules. */
public record Member(Recipient recipient, CompiledRuleSet rules) {
    public Member {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(rules, "rules");
    }
}

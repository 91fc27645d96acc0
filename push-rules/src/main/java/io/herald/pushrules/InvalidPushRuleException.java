package io.herald.pushrules;

import java.util.List;

/**
 * A push rule (or ruleset) that cannot be accepted. The message is meant for clients, e.g. as the {@code error}
 * of an {@code M_INVALID_PARAM} response; {@link #problems()} lists every problem found.
 */
public class InvalidPushRuleException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public InvalidPushRuleException(String message) {
        super(message);
        this.problems = List.of(message);
    }

    public InvalidPushRuleException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, one message each. */
    public List<String> problems() {
        return problems;
    }
}

package io.herald.rules.push;

import io.herald.pushrules.PushAction;
import io.herald.pushrules.PushRule;
import io.herald.pushrules.PushRuleSet;
import io.herald.pushrules.RuleKind;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Transactional writes of user push rules (positions per {@code before}/{@code after}). */
@ApplicationScoped
public class PushRulesService {

    private final PushStore store;

    PushRulesService(PushStore store) {
        this.store = store;
    }

    /**
     * Creates or updates a user rule. An existing rule keeps its {@code enabled} state. Without {@code before}/{@code
     * after} the rule becomes the most important user rule of its kind: the spec says so for a new rule and leaves an
     * update open; Synapse moves an updated rule to the top too. With both, {@code before} wins (spec).
     *
     * @throws MatrixError 400 {@code M_UNKNOWN} when {@code before}/{@code after} is not a user rule of this kind
     */
    @Transactional
    public void put(String userId, RuleKind kind, PushRule rule, String before, String after) {
        store.lockUser(userId);
        Optional<PushRule> existing = store.userRules(userId).rules().find(kind, rule.ruleId());
        List<String> order = new ArrayList<>(store.ruleIds(userId, kind));
        boolean exists = order.contains(rule.ruleId());
        PushRule toSave = rule;
        if (exists && existing.isPresent()) {
            toSave = rule.withEnabled(existing.get().enabled());
        }
        String anchor = before != null ? before : after;
        if (anchor != null) {
            order.remove(rule.ruleId());
            int at = order.indexOf(anchor);
            if (at < 0) {
                throw new MatrixError(400, "M_UNKNOWN", "before/after rule not found: " + anchor);
            }
            order.add(before != null ? at : at + 1, rule.ruleId());
        } else {
            order.remove(rule.ruleId());
            order.add(0, rule.ruleId());
        }
        store.saveRule(userId, kind, toSave, order);
    }

    /**
     * Changes {@code enabled} and/or {@code actions} ({@code null} = unchanged) of a user rule in place, or of a
     * server-default rule (of {@code serverDefaults}) as an override.
     *
     * @throws MatrixError 404 {@code M_NOT_FOUND} when the user has no such rule
     */
    @Transactional
    public void change(String userId, RuleKind kind, String ruleId, Boolean enabled, List<PushAction> actions,
            PushRuleSet serverDefaults) {
        store.lockUser(userId);
        Optional<PushRule> userRule = store.userRules(userId).rules().find(kind, ruleId);
        if (userRule.isPresent()) {
            PushRule r = userRule.get();
            if (enabled != null) {
                r = r.withEnabled(enabled);
            }
            if (actions != null) {
                r = r.withActions(actions);
            }
            store.saveRule(userId, kind, r, store.ruleIds(userId, kind));
        } else if (serverDefaults.find(kind, ruleId).isPresent()) {
            store.saveOverride(userId, kind, ruleId, enabled, actions);
        } else {
            throw MatrixError.notFound();
        }
    }
}

package io.herald.pushrules.defaults;

import io.herald.pushrules.DefaultsProfile;
import io.herald.pushrules.PushAction;
import io.herald.pushrules.PushCondition;
import io.herald.pushrules.PushRule;
import io.herald.pushrules.PushRuleSet;
import io.herald.pushrules.RuleKey;
import io.herald.pushrules.RuleKind;
import io.herald.pushrules.RuleOverride;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The predefined (server-default) push rules and the merge of a user's rules with them.
 *
 * <p>{@link DefaultsProfile#SPEC}: the rules of the current spec (v1.17+). {@link DefaultsProfile#LEGACY} adds the
 * three v1.16 mention rules at their v1.16 positions; evaluation skips those three whenever the event content has
 * an {@code m.mentions} property.
 */
public final class ServerDefaults {

    public static final String MASTER = ".m.rule.master";
    public static final String SUPPRESS_NOTICES = ".m.rule.suppress_notices";
    public static final String INVITE_FOR_ME = ".m.rule.invite_for_me";
    public static final String MEMBER_EVENT = ".m.rule.member_event";
    public static final String IS_USER_MENTION = ".m.rule.is_user_mention";
    public static final String CONTAINS_DISPLAY_NAME = ".m.rule.contains_display_name";
    public static final String IS_ROOM_MENTION = ".m.rule.is_room_mention";
    public static final String ROOMNOTIF = ".m.rule.roomnotif";
    public static final String TOMBSTONE = ".m.rule.tombstone";
    public static final String REACTION = ".m.rule.reaction";
    public static final String SERVER_ACL = ".m.rule.room.server_acl";
    public static final String SUPPRESS_EDITS = ".m.rule.suppress_edits";
    public static final String CONTAINS_USER_NAME = ".m.rule.contains_user_name";
    public static final String CALL = ".m.rule.call";
    public static final String ENCRYPTED_ROOM_ONE_TO_ONE = ".m.rule.encrypted_room_one_to_one";
    public static final String ROOM_ONE_TO_ONE = ".m.rule.room_one_to_one";
    public static final String MESSAGE = ".m.rule.message";
    public static final String ENCRYPTED = ".m.rule.encrypted";
    /** Synapse's always-on underride rule for Jitsi widgets (not in the spec). */
    public static final String JITSI = ".im.vector.jitsi";

    /** The v1.16 mention rules that must not match when the event content has {@code m.mentions}. */
    public static final Set<String> LEGACY_MENTION_RULES = Set.of(CONTAINS_DISPLAY_NAME, ROOMNOTIF, CONTAINS_USER_NAME);

    private ServerDefaults() {
    }

    /** The localpart of a user ID ({@code @alice:example.org} → {@code alice}). */
    public static String localpart(String userId) {
        int start = userId.startsWith("@") ? 1 : 0;
        int colon = userId.indexOf(':', start);
        return colon < 0 ? userId.substring(start) : userId.substring(start, colon);
    }

    /** The server-default ruleset of a profile for one user (the user ID appears in some conditions). */
    public static PushRuleSet ruleset(DefaultsProfile profile, String userId) {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(userId, "userId");
        if (profile == DefaultsProfile.SYNAPSE) {
            return synapse(userId);
        }
        boolean legacy = profile == DefaultsProfile.LEGACY;
        PushAction notify = PushAction.NOTIFY;
        PushAction soundDefault = PushAction.sound("default");
        PushAction highlight = PushAction.highlight();

        List<PushRule> override = new ArrayList<>();
        override.add(rule(MASTER, false, List.of(), List.of()));
        override.add(rule(SUPPRESS_NOTICES, true, List.of(match("content.msgtype", "m.notice")), List.of()));
        override.add(rule(INVITE_FOR_ME, true, List.of(
                match("type", "m.room.member"),
                match("content.membership", "invite"),
                match("state_key", userId)), List.of(notify, soundDefault)));
        override.add(rule(MEMBER_EVENT, true, List.of(match("type", "m.room.member")), List.of()));
        override.add(rule(IS_USER_MENTION, true, List.of(
                PushCondition.eventPropertyContains("content.m\\.mentions.user_ids", userId)),
                List.of(notify, soundDefault, highlight)));
        if (legacy) {
            override.add(rule(CONTAINS_DISPLAY_NAME, true, List.of(PushCondition.containsDisplayName()),
                    List.of(notify, soundDefault, highlight)));
        }
        override.add(rule(IS_ROOM_MENTION, true, List.of(
                PushCondition.eventPropertyIs("content.m\\.mentions.room", true),
                PushCondition.senderNotificationPermission("room")), List.of(notify, highlight)));
        if (legacy) {
            override.add(rule(ROOMNOTIF, true, List.of(
                    match("content.body", "@room"),
                    PushCondition.senderNotificationPermission("room")), List.of(notify, highlight)));
        }
        override.add(rule(TOMBSTONE, true, List.of(match("type", "m.room.tombstone"), match("state_key", "")),
                List.of(notify, highlight)));
        override.add(rule(REACTION, true, List.of(match("type", "m.reaction")), List.of()));
        override.add(rule(SERVER_ACL, true, List.of(match("type", "m.room.server_acl"), match("state_key", "")),
                List.of()));
        override.add(rule(SUPPRESS_EDITS, true, List.of(
                PushCondition.eventPropertyIs("content.m\\.relates_to.rel_type", "m.replace")), List.of()));

        List<PushRule> content = new ArrayList<>();
        if (legacy) {
            content.add(new PushRule(CONTAINS_USER_NAME, true, true, List.of(notify, soundDefault, highlight),
                    List.of(), localpart(userId)));
        }

        List<PushRule> underride = List.of(
                rule(CALL, true, List.of(match("type", "m.call.invite")), List.of(notify, PushAction.sound("ring"))),
                rule(ENCRYPTED_ROOM_ONE_TO_ONE, true, List.of(
                        PushCondition.roomMemberCount("2"), match("type", "m.room.encrypted")),
                        List.of(notify, soundDefault)),
                rule(ROOM_ONE_TO_ONE, true, List.of(
                        PushCondition.roomMemberCount("2"), match("type", "m.room.message")),
                        List.of(notify, soundDefault)),
                rule(MESSAGE, true, List.of(match("type", "m.room.message")), List.of(notify)),
                rule(ENCRYPTED, true, List.of(match("type", "m.room.encrypted")), List.of(notify)));

        return new PushRuleSet(override, content, List.of(), List.of(), underride);
    }

    /**
     * Synapse's default ruleset as its {@code GET /pushrules/} shows it (rust/src/push/base_rules.rs, the rules that are
     * on without experimental features): the v1.16 ruleset with the legacy mention rules, {@code .im.vector.jitsi},
     * the explicit {@code highlight: false} tweaks, and Synapse's order of actions and conditions.
     */
    private static PushRuleSet synapse(String userId) {
        PushAction notify = PushAction.NOTIFY;
        PushAction soundDefault = PushAction.sound("default");
        PushAction highlight = PushAction.highlight();
        PushAction noHighlight = new PushAction.SetTweak("highlight",
                com.fasterxml.jackson.databind.node.BooleanNode.FALSE);
        List<PushRule> override = List.of(
                rule(MASTER, false, List.of(), List.of()),
                rule(SUPPRESS_NOTICES, true, List.of(match("content.msgtype", "m.notice")), List.of()),
                rule(INVITE_FOR_ME, true, List.of(
                        match("type", "m.room.member"),
                        match("content.membership", "invite"),
                        match("state_key", userId)), List.of(notify, noHighlight, soundDefault)),
                rule(MEMBER_EVENT, true, List.of(match("type", "m.room.member")), List.of()),
                rule(IS_USER_MENTION, true, List.of(
                        PushCondition.eventPropertyContains("content.m\\.mentions.user_ids", userId)),
                        List.of(notify, highlight, soundDefault)),
                rule(CONTAINS_DISPLAY_NAME, true, List.of(PushCondition.containsDisplayName()),
                        List.of(notify, highlight, soundDefault)),
                rule(IS_ROOM_MENTION, true, List.of(
                        PushCondition.eventPropertyIs("content.m\\.mentions.room", true),
                        PushCondition.senderNotificationPermission("room")), List.of(notify, highlight)),
                rule(ROOMNOTIF, true, List.of(
                        PushCondition.senderNotificationPermission("room"),
                        match("content.body", "@room")), List.of(notify, highlight)),
                rule(TOMBSTONE, true, List.of(match("type", "m.room.tombstone"), match("state_key", "")),
                        List.of(notify, highlight)),
                rule(REACTION, true, List.of(match("type", "m.reaction")), List.of()),
                rule(SERVER_ACL, true, List.of(match("type", "m.room.server_acl"), match("state_key", "")),
                        List.of()),
                rule(SUPPRESS_EDITS, true, List.of(
                        PushCondition.eventPropertyIs("content.m\\.relates_to.rel_type", "m.replace")), List.of()));
        List<PushRule> content = List.of(new PushRule(CONTAINS_USER_NAME, true, true,
                List.of(notify, highlight, soundDefault), List.of(), localpart(userId)));
        List<PushRule> underride = List.of(
                rule(CALL, true, List.of(match("type", "m.call.invite")),
                        List.of(notify, PushAction.sound("ring"), noHighlight)),
                rule(ENCRYPTED_ROOM_ONE_TO_ONE, true, List.of(
                        match("type", "m.room.encrypted"), PushCondition.roomMemberCount("2")),
                        List.of(notify, soundDefault, noHighlight)),
                rule(ROOM_ONE_TO_ONE, true, List.of(
                        match("type", "m.room.message"), PushCondition.roomMemberCount("2")),
                        List.of(notify, soundDefault, noHighlight)),
                rule(MESSAGE, true, List.of(match("type", "m.room.message")), List.of(notify, noHighlight)),
                rule(ENCRYPTED, true, List.of(match("type", "m.room.encrypted")), List.of(notify, noHighlight)),
                rule(JITSI, true, List.of(
                        match("type", "im.vector.modular.widgets"),
                        match("content.type", "jitsi"),
                        match("state_key", "*")), List.of(notify, noHighlight)));
        return new PushRuleSet(override, content, List.of(), List.of(), underride);
    }

    /**
     * The effective ruleset of a user: server defaults of {@code profile} merged with the user's own rules and
     * per-user overrides of server-default rules (see {@link #merge}).
     */
    public static PushRuleSet effective(DefaultsProfile profile, String userId, PushRuleSet userRules,
                                        Map<RuleKey, RuleOverride> overrides) {
        return merge(ruleset(profile, userId), userRules, overrides);
    }

    /**
     * Merges in the effective order: {@code .m.rule.master} · user override · server override · user content ·
     * server content · user room · server room · user sender · server sender · user underride · server underride.
     * {@code overrides} (may be {@code null}) change {@code enabled}/{@code actions} of server-default rules; user
     * rules are taken as they are.
     */
    public static PushRuleSet merge(PushRuleSet serverDefaults, PushRuleSet userRules,
                                    Map<RuleKey, RuleOverride> overrides) {
        PushRuleSet user = userRules == null ? PushRuleSet.empty() : userRules;
        Map<RuleKey, RuleOverride> ov = overrides == null ? Map.of() : overrides;
        Map<RuleKind, List<PushRule>> out = new java.util.EnumMap<>(RuleKind.class);
        for (RuleKind kind : RuleKind.values()) {
            List<PushRule> server = serverDefaults.rules(kind);
            List<PushRule> merged = new ArrayList<>(server.size() + user.rules(kind).size());
            int from = 0;
            if (kind == RuleKind.OVERRIDE && !server.isEmpty() && MASTER.equals(server.get(0).ruleId())) {
                merged.add(apply(kind, server.get(0), ov));
                from = 1;
            }
            merged.addAll(user.rules(kind));
            for (int i = from; i < server.size(); i++) {
                merged.add(apply(kind, server.get(i), ov));
            }
            out.put(kind, merged);
        }
        return PushRuleSet.of(out);
    }

    private static PushRule apply(RuleKind kind, PushRule rule, Map<RuleKey, RuleOverride> overrides) {
        RuleOverride o = overrides.get(new RuleKey(kind, rule.ruleId()));
        return o == null ? rule : o.applyTo(rule);
    }

    private static PushCondition match(String key, String pattern) {
        return PushCondition.eventMatch(key, pattern);
    }

    private static PushRule rule(String id, boolean enabled, List<PushCondition> conditions,
                                 List<PushAction> actions) {
        return new PushRule(id, true, enabled, actions, conditions, null);
    }
}

package io.herald.pushrules;

import static io.herald.pushrules.Eval.ALICE;
import static io.herald.pushrules.Eval.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.pushrules.defaults.ServerDefaults;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every predefined rule of the current spec (client-server API "Predefined Rules", v1.17+) and the legacy v1.16
 * mention rules, as expected results of whole-ruleset evaluation (push-rules.md §4).
 */
class DefaultRulesTest {

    private static final String PL_BOB_50 = "{users: {'" + BOB + "': 50}}";
    private static final String PL_BOB_0 = "{users: {'" + BOB + "': 0}}";

    private static String msg(String content) {
        return "{type: 'm.room.message', sender: '" + BOB + "', room_id: '!r:example.org', content: " + content + "}";
    }

    private static String ev(String type, String stateKey, String content) {
        return "{type: '" + type + "', sender: '" + BOB + "', room_id: '!r:example.org'"
                + (stateKey == null ? "" : ", state_key: '" + stateKey + "'") + ", content: " + content + "}";
    }

    static Stream<Arguments> specProfile() {
        return Stream.of(
                // name, event, members, power levels, display name, rule id (null: none), actions, tweaks
                Arguments.of("plain message in a group", msg("{msgtype: 'm.text', body: 'hello'}"), 5, null, "Alice",
                        ServerDefaults.MESSAGE, "['notify']", "{}"),
                Arguments.of("notice", msg("{msgtype: 'm.notice', body: 'bot says hi'}"), 5, null, null,
                        ServerDefaults.SUPPRESS_NOTICES, "[]", "{}"),
                Arguments.of("notice that mentions you stays silent",
                        msg("{msgtype: 'm.notice', body: 'alice', 'm.mentions': {user_ids: ['" + ALICE + "']}}"),
                        5, null, null, ServerDefaults.SUPPRESS_NOTICES, "[]", "{}"),
                Arguments.of("invite for me", ev("m.room.member", ALICE, "{membership: 'invite'}"), 5, null, null,
                        ServerDefaults.INVITE_FOR_ME, "['notify', {set_tweak: 'sound', value: 'default'}]",
                        "{sound: 'default'}"),
                Arguments.of("invite for someone else", ev("m.room.member", "@carol:example.org",
                        "{membership: 'invite'}"), 5, null, null, ServerDefaults.MEMBER_EVENT, "[]", "{}"),
                Arguments.of("join", ev("m.room.member", BOB, "{membership: 'join'}"), 5, null, null,
                        ServerDefaults.MEMBER_EVENT, "[]", "{}"),
                Arguments.of("user mention", msg("{msgtype: 'm.text', body: 'hey', 'm.mentions': {user_ids: ['"
                        + ALICE + "']}}"), 5, null, null, ServerDefaults.IS_USER_MENTION,
                        "['notify', {set_tweak: 'sound', value: 'default'}, {set_tweak: 'highlight'}]",
                        "{sound: 'default', highlight: true}"),
                Arguments.of("mention of someone else", msg("{msgtype: 'm.text', body: 'hey', 'm.mentions': "
                        + "{user_ids: ['@carol:example.org']}}"), 5, null, null, ServerDefaults.MESSAGE,
                        "['notify']", "{}"),
                Arguments.of("room mention by a moderator", msg("{body: '@room', 'm.mentions': {room: true}}"), 5,
                        PL_BOB_50, null, ServerDefaults.IS_ROOM_MENTION, "['notify', {set_tweak: 'highlight'}]",
                        "{highlight: true}"),
                Arguments.of("room mention without permission", msg("{body: '@room', 'm.mentions': {room: true}}"),
                        5, PL_BOB_0, null, ServerDefaults.MESSAGE, "['notify']", "{}"),
                Arguments.of("room mention without power levels", msg("{body: 'x', 'm.mentions': {room: true}}"),
                        5, null, null, ServerDefaults.MESSAGE, "['notify']", "{}"),
                Arguments.of("m.mentions.room = 'true' (string) is not a room mention",
                        msg("{body: 'x', 'm.mentions': {room: 'true'}}"), 5, PL_BOB_50, null,
                        ServerDefaults.MESSAGE, "['notify']", "{}"),
                Arguments.of("tombstone", ev("m.room.tombstone", "", "{replacement_room: '!n:x'}"), 5, null, null,
                        ServerDefaults.TOMBSTONE, "['notify', {set_tweak: 'highlight'}]", "{highlight: true}"),
                Arguments.of("tombstone with a state key is not the room's",
                        ev("m.room.tombstone", "x", "{}"), 5, null, null, null, "[]", "{}"),
                Arguments.of("reaction", ev("m.reaction", null, "{'m.relates_to': {rel_type: 'm.annotation'}}"),
                        2, null, null, ServerDefaults.REACTION, "[]", "{}"),
                Arguments.of("server ACL", ev("m.room.server_acl", "", "{allow: ['*']}"), 5, null, null,
                        ServerDefaults.SERVER_ACL, "[]", "{}"),
                Arguments.of("edit", msg("{body: '* fixed', 'm.relates_to': {rel_type: 'm.replace', "
                        + "event_id: '$e'}}"), 5, null, null, ServerDefaults.SUPPRESS_EDITS, "[]", "{}"),
                Arguments.of("edit that mentions you still notifies", msg("{body: '* hi', 'm.relates_to': "
                        + "{rel_type: 'm.replace'}, 'm.mentions': {user_ids: ['" + ALICE + "']}}"), 5, null, null,
                        ServerDefaults.IS_USER_MENTION,
                        "['notify', {set_tweak: 'sound', value: 'default'}, {set_tweak: 'highlight'}]",
                        "{sound: 'default', highlight: true}"),
                Arguments.of("thread reply is a message", msg("{body: 'x', 'm.relates_to': {rel_type: 'm.thread'}}"),
                        5, null, null, ServerDefaults.MESSAGE, "['notify']", "{}"),
                Arguments.of("call", ev("m.call.invite", null, "{}"), 5, null, null, ServerDefaults.CALL,
                        "['notify', {set_tweak: 'sound', value: 'ring'}]", "{sound: 'ring'}"),
                Arguments.of("call in a DM rings", ev("m.call.invite", null, "{}"), 2, null, null,
                        ServerDefaults.CALL, "['notify', {set_tweak: 'sound', value: 'ring'}]", "{sound: 'ring'}"),
                Arguments.of("encrypted DM", ev("m.room.encrypted", null, "{algorithm: 'm.megolm.v1.aes-sha2'}"),
                        2, null, null, ServerDefaults.ENCRYPTED_ROOM_ONE_TO_ONE,
                        "['notify', {set_tweak: 'sound', value: 'default'}]", "{sound: 'default'}"),
                Arguments.of("DM message", msg("{msgtype: 'm.text', body: 'hi'}"), 2, null, null,
                        ServerDefaults.ROOM_ONE_TO_ONE, "['notify', {set_tweak: 'sound', value: 'default'}]",
                        "{sound: 'default'}"),
                Arguments.of("encrypted group message", ev("m.room.encrypted", null, "{}"), 3, null, null,
                        ServerDefaults.ENCRYPTED, "['notify']", "{}"),
                Arguments.of("message in a room of one", msg("{body: 'note to self'}"), 1, null, null,
                        ServerDefaults.MESSAGE, "['notify']", "{}"),
                Arguments.of("unknown event type", ev("org.example.custom", null, "{}"), 5, null, null, null,
                        "[]", "{}"),
                Arguments.of("state event of another type", ev("m.room.topic", "", "{topic: 'x'}"), 5, null, null,
                        null, "[]", "{}"),
                // no legacy rules in the spec profile
                Arguments.of("display name in body, no m.mentions", msg("{body: 'hi Alice'}"), 5, null, "Alice",
                        ServerDefaults.MESSAGE, "['notify']", "{}"),
                Arguments.of("@room in body, no m.mentions", msg("{body: '@room hello'}"), 5, PL_BOB_50, null,
                        ServerDefaults.MESSAGE, "['notify']", "{}"),
                Arguments.of("localpart in body, no m.mentions", msg("{body: 'alice: look'}"), 5, null, null,
                        ServerDefaults.MESSAGE, "['notify']", "{}"));
    }

    @ParameterizedTest(name = "[{index}] spec: {0}")
    @MethodSource("specProfile")
    void specProfile(String name, String event, long members, String pl, String displayName, String ruleId,
                     String actions, String tweaks) {
        check(DefaultsProfile.SPEC, event, members, pl, displayName, ruleId, actions, tweaks);
    }

    static Stream<Arguments> legacyProfile() {
        String hl = "['notify', {set_tweak: 'sound', value: 'default'}, {set_tweak: 'highlight'}]";
        String hlTweaks = "{sound: 'default', highlight: true}";
        return Stream.of(
                Arguments.of("display name", msg("{body: 'hi Alice!'}"), 5, null, "Alice",
                        ServerDefaults.CONTAINS_DISPLAY_NAME, hl, hlTweaks),
                Arguments.of("display name, content has m.mentions {}", msg("{body: 'hi Alice!', 'm.mentions': {}}"),
                        5, null, "Alice", ServerDefaults.MESSAGE, "['notify']", "{}"),
                Arguments.of("display name, m.mentions null", msg("{body: 'hi Alice!', 'm.mentions': null}"),
                        5, null, "Alice", ServerDefaults.MESSAGE, "['notify']", "{}"),
                Arguments.of("display name inside a word", msg("{body: 'Alicea'}"), 5, null, "Alice",
                        ServerDefaults.MESSAGE, "['notify']", "{}"),
                Arguments.of("user mention beats display name", msg("{body: 'Alice', 'm.mentions': {user_ids: ['"
                        + ALICE + "']}}"), 5, null, "Alice", ServerDefaults.IS_USER_MENTION, hl, hlTweaks),
                Arguments.of("@room by a moderator", msg("{body: 'hey @room!'}"), 5, PL_BOB_50, null,
                        ServerDefaults.ROOMNOTIF, "['notify', {set_tweak: 'highlight'}]", "{highlight: true}"),
                Arguments.of("@room glued to a word", msg("{body: 'hello@room'}"), 5, PL_BOB_50, null,
                        ServerDefaults.ROOMNOTIF, "['notify', {set_tweak: 'highlight'}]", "{highlight: true}"),
                Arguments.of("@room without permission", msg("{body: '@room'}"), 5, PL_BOB_0, null,
                        ServerDefaults.MESSAGE, "['notify']", "{}"),
                Arguments.of("@room with m.mentions", msg("{body: '@room', 'm.mentions': {}}"), 5, PL_BOB_50, null,
                        ServerDefaults.MESSAGE, "['notify']", "{}"),
                Arguments.of("@rooms is not @room", msg("{body: '@rooms'}"), 5, PL_BOB_50, null,
                        ServerDefaults.MESSAGE, "['notify']", "{}"),
                Arguments.of("user name (localpart)", msg("{body: 'ALICE: look'}"), 5, null, null,
                        ServerDefaults.CONTAINS_USER_NAME, hl, hlTweaks),
                Arguments.of("user name, content has m.mentions", msg("{body: 'alice: look', 'm.mentions': {}}"),
                        5, null, null, ServerDefaults.MESSAGE, "['notify']", "{}"),
                Arguments.of("user name inside a word", msg("{body: 'malice'}"), 5, null, null,
                        ServerDefaults.MESSAGE, "['notify']", "{}"),
                Arguments.of("a notice with the display name is still suppressed",
                        msg("{msgtype: 'm.notice', body: 'Alice'}"), 5, null, "Alice",
                        ServerDefaults.SUPPRESS_NOTICES, "[]", "{}"),
                Arguments.of("plain message", msg("{body: 'hello'}"), 5, null, "Alice", ServerDefaults.MESSAGE,
                        "['notify']", "{}"));
    }

    @ParameterizedTest(name = "[{index}] legacy: {0}")
    @MethodSource("legacyProfile")
    void legacyProfile(String name, String event, long members, String pl, String displayName, String ruleId,
                       String actions, String tweaks) {
        check(DefaultsProfile.LEGACY, event, members, pl, displayName, ruleId, actions, tweaks);
    }

    private static void check(DefaultsProfile profile, String event, long members, String pl, String displayName,
                              String ruleId, String actions, String tweaks) {
        EvaluationResult r = Eval.defaults(profile, event, members, pl, displayName);
        assertEquals(ruleId, r.ruleId(), "rule_id");
        assertEquals(Json.parse(actions), r.toJson().get("actions"), "actions");
        assertEquals(Json.parse(tweaks), r.toJson().get("tweaks"), "tweaks");
        RuleKind expectedKind = ruleId == null ? null : ServerDefaults.ruleset(profile, ALICE).inOrder().stream()
                .filter(e -> e.getValue().ruleId().equals(ruleId)).findFirst().orElseThrow().getKey();
        assertEquals(expectedKind, r.kind(), "kind");
    }

    @Test
    void masterRuleIsDisabledByDefaultAndSilencesEverythingWhenEnabled() {
        PushRuleSet rs = PushRules.effective(DefaultsProfile.SPEC, ALICE, null,
                java.util.Map.of(new RuleKey(RuleKind.OVERRIDE, ServerDefaults.MASTER), RuleOverride.enabled(true)));
        EvaluationResult r = Eval.run(rs, msg("{body: 'hi', 'm.mentions': {user_ids: ['" + ALICE + "']}}"), 2,
                null, ALICE, null);
        assertEquals(ServerDefaults.MASTER, r.ruleId());
        assertTrue(r.actions().isEmpty());
        assertFalse(r.shouldNotify());
        PushRule master = PushRules.serverDefaults(DefaultsProfile.SPEC, ALICE).override().get(0);
        assertEquals(ServerDefaults.MASTER, master.ruleId());
        assertFalse(master.enabled());
    }

    @Test
    void ownEventsNeverNotify() {
        String own = "{type: 'm.room.message', sender: '" + ALICE + "', content: {body: 'x', 'm.mentions': "
                + "{user_ids: ['" + ALICE + "']}}}";
        EvaluationResult r = Eval.defaults(DefaultsProfile.SPEC, own, 2, null, null);
        assertFalse(r.matched());
        assertEquals(EvaluationResult.NO_MATCH, r);
    }

    private static List<String> ids(List<PushRule> rules) {
        return rules.stream().map(PushRule::ruleId).collect(Collectors.toList());
    }

    @Test
    void specProfileHasTheSpecRulesInSpecOrder() {
        PushRuleSet rs = ServerDefaults.ruleset(DefaultsProfile.SPEC, ALICE);
        assertEquals(List.of(".m.rule.master", ".m.rule.suppress_notices", ".m.rule.invite_for_me",
                ".m.rule.member_event", ".m.rule.is_user_mention", ".m.rule.is_room_mention", ".m.rule.tombstone",
                ".m.rule.reaction", ".m.rule.room.server_acl", ".m.rule.suppress_edits"), ids(rs.override()));
        assertTrue(rs.content().isEmpty());
        assertTrue(rs.room().isEmpty());
        assertTrue(rs.sender().isEmpty());
        assertEquals(List.of(".m.rule.call", ".m.rule.encrypted_room_one_to_one", ".m.rule.room_one_to_one",
                ".m.rule.message", ".m.rule.encrypted"), ids(rs.underride()));
        for (PushRule r : rs.inOrder().stream().map(java.util.Map.Entry::getValue).collect(Collectors.toList())) {
            assertTrue(r.isDefault(), r.ruleId());
            assertEquals(!r.ruleId().equals(ServerDefaults.MASTER), r.enabled(), r.ruleId());
        }
    }

    @Test
    void legacyProfileAddsTheThreeMentionRulesAtTheirV116Positions() {
        PushRuleSet rs = ServerDefaults.ruleset(DefaultsProfile.LEGACY, ALICE);
        assertEquals(List.of(".m.rule.master", ".m.rule.suppress_notices", ".m.rule.invite_for_me",
                ".m.rule.member_event", ".m.rule.is_user_mention", ".m.rule.contains_display_name",
                ".m.rule.is_room_mention", ".m.rule.roomnotif", ".m.rule.tombstone", ".m.rule.reaction",
                ".m.rule.room.server_acl", ".m.rule.suppress_edits"), ids(rs.override()));
        assertEquals(List.of(".m.rule.contains_user_name"), ids(rs.content()));
        assertEquals("alice", rs.content().get(0).pattern());
        assertEquals(ids(ServerDefaults.ruleset(DefaultsProfile.SPEC, ALICE).underride()), ids(rs.underride()));
    }

    @Test
    void defaultRulesServeTheSpecJson() {
        PushRuleSet rs = ServerDefaults.ruleset(DefaultsProfile.SPEC, ALICE);
        assertEquals(Json.parse("{rule_id: '.m.rule.invite_for_me', default: true, enabled: true,"
                + " actions: ['notify', {set_tweak: 'sound', value: 'default'}],"
                + " conditions: [{kind: 'event_match', key: 'type', pattern: 'm.room.member'},"
                + " {kind: 'event_match', key: 'content.membership', pattern: 'invite'},"
                + " {kind: 'event_match', key: 'state_key', pattern: '" + ALICE + "'}]}"),
                PushRulesJson.toJson(RuleKind.OVERRIDE, rs.find(RuleKind.OVERRIDE, ServerDefaults.INVITE_FOR_ME)
                        .orElseThrow()));
        assertEquals(Json.parse("{rule_id: '.m.rule.is_user_mention', default: true, enabled: true,"
                + " actions: ['notify', {set_tweak: 'sound', value: 'default'}, {set_tweak: 'highlight'}],"
                + " conditions: [{kind: 'event_property_contains', key: 'content.m\\\\.mentions.user_ids',"
                + " value: '" + ALICE + "'}]}"),
                PushRulesJson.toJson(RuleKind.OVERRIDE, rs.find(RuleKind.OVERRIDE, ServerDefaults.IS_USER_MENTION)
                        .orElseThrow()));
        assertEquals(Json.parse("{rule_id: '.m.rule.is_room_mention', default: true, enabled: true,"
                + " actions: ['notify', {set_tweak: 'highlight'}],"
                + " conditions: [{kind: 'event_property_is', key: 'content.m\\\\.mentions.room', value: true},"
                + " {kind: 'sender_notification_permission', key: 'room'}]}"),
                PushRulesJson.toJson(RuleKind.OVERRIDE, rs.find(RuleKind.OVERRIDE, ServerDefaults.IS_ROOM_MENTION)
                        .orElseThrow()));
        assertEquals(Json.parse("{rule_id: '.m.rule.master', default: true, enabled: false, actions: [],"
                + " conditions: []}"), PushRulesJson.toJson(RuleKind.OVERRIDE, rs.override().get(0)));
        assertEquals(Json.parse("{rule_id: '.m.rule.room_one_to_one', default: true, enabled: true,"
                + " actions: ['notify', {set_tweak: 'sound', value: 'default'}],"
                + " conditions: [{kind: 'room_member_count', is: '2'},"
                + " {kind: 'event_match', key: 'type', pattern: 'm.room.message'}]}"),
                PushRulesJson.toJson(RuleKind.UNDERRIDE, rs.find(RuleKind.UNDERRIDE, ServerDefaults.ROOM_ONE_TO_ONE)
                        .orElseThrow()));
    }
}

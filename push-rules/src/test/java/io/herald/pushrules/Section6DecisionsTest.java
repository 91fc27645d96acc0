package io.herald.pushrules;

import static io.herald.pushrules.Eval.ALICE;
import static io.herald.pushrules.Eval.BOB;
import static io.herald.pushrules.Eval.condition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.BooleanNode;
import io.herald.pushrules.defaults.ServerDefaults;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One test per row of push-rules.md §6 ("Where the implementations disagree, and what Herald does"). */
class Section6DecisionsTest {

    private static boolean bodyMatches(String pattern, String body) {
        com.fasterxml.jackson.databind.node.ObjectNode c = PushRulesJson.MAPPER.createObjectNode();
        c.put("kind", "event_match").put("key", "content.body").put("pattern", pattern);
        com.fasterxml.jackson.databind.node.ObjectNode e = PushRulesJson.MAPPER.createObjectNode();
        e.putObject("content").put("body", body);
        return condition(c.toString(), e.toString());
    }

    private static boolean typeMatches(String pattern, String type) {
        com.fasterxml.jackson.databind.node.ObjectNode c = PushRulesJson.MAPPER.createObjectNode();
        c.put("kind", "event_match").put("key", "content.topic").put("pattern", pattern);
        com.fasterxml.jackson.databind.node.ObjectNode e = PushRulesJson.MAPPER.createObjectNode();
        e.putObject("content").put("topic", type);
        return condition(c.toString(), e.toString());
    }

    @Test
    void questionMarkIsExactlyOneCodePoint() {
        assertTrue(typeMatches("?", "\uD83D\uDE00")); // one code point, two UTF-16 units
        assertFalse(typeMatches("??", "\uD83D\uDE00"));
        assertFalse(typeMatches("?", "e\u0301")); // two code points, one grapheme
        assertTrue(typeMatches("??", "e\u0301"));
        assertFalse(typeMatches("a?c", "a.xc")); // ? is not a literal dot either
        assertTrue(typeMatches("a?c", "a.c"));
        assertTrue(typeMatches("a?c", "abc"));
    }

    @Test
    void wildcardsMatchNewlines() {
        assertTrue(typeMatches("a*b", "a\nb"));
        assertTrue(typeMatches("a?b", "a\nb"));
        assertTrue(bodyMatches("hello*world", "hello\nworld"));
    }

    @Test
    void wordBoundariesAreAsciiWordCharacters() {
        assertTrue(bodyMatches("cafe", "x cafeé"));     // é is a boundary (Synapse would say no)
        assertTrue(bodyMatches("cake", "日本cake"));
        assertTrue(bodyMatches("cake", "\uD83C\uDF82cake\uD83C\uDF82"));
        assertTrue(bodyMatches("cake", "cheese-cake"));
        assertTrue(bodyMatches("cake", "@cake"));
        assertFalse(bodyMatches("cake", "cheese_cake"));
        assertFalse(bodyMatches("cake", "cake9"));
    }

    @Test
    void aPatternEdgeThatIsANonWordCharacterIsItsOwnBoundary() {
        assertTrue(bodyMatches("@room", "hello@room"));
        assertTrue(bodyMatches("foo ", "foo bar"));
        assertFalse(bodyMatches("room", "hello@rooms"));
    }

    @Test
    void caseInsensitivityIsUnicodeLowerCasing() {
        assertTrue(typeMatches("ÄRGER", "ärger"));
        assertTrue(typeMatches("ΣΟΦΊΑ", "σοφία"));
        assertTrue(bodyMatches("ПРИВЕТ", "ну привет!"));
    }

    @Test
    void arrayIndicesInKeyPathsNeverMatch() {
        assertFalse(condition("{kind: 'event_match', key: 'content.list.0', pattern: 'a'}",
                "{content: {list: ['a']}}"));
        assertFalse(condition("{kind: 'event_property_is', key: 'content.list.0', value: 'a'}",
                "{content: {list: ['a']}}"));
        assertTrue(condition("{kind: 'event_match', key: 'content.list.0', pattern: 'a'}",
                "{content: {list: {'0': 'a'}}}")); // an object property named "0" is addressable
    }

    @Test
    void floatsNeverEqualIntegers() {
        assertFalse(condition("{kind: 'event_property_is', key: 'content.n', value: 1}", "{content: {n: 1.0}}"));
        assertFalse(condition("{kind: 'event_property_is', key: 'content.n', value: 1.0}", "{content: {n: 1.0}}"));
        assertFalse(condition("{kind: 'event_property_is', key: 'content.n', value: 1.0}", "{content: {n: 1}}"));
        assertTrue(condition("{kind: 'event_property_is', key: 'content.n', value: 1}", "{content: {n: 1}}"));
    }

    @Test
    void senderRulesMatchTheSender() {
        PushRuleSet rs = PushRules.effective(DefaultsProfile.SPEC, ALICE, PushRulesJson.parseRuleset(Json.parse(
                "{sender: [{rule_id: '" + BOB + "', actions: ['notify', {set_tweak: 'sound', value: 'bob'}]}]}")),
                null);
        EvaluationResult fromBob = Eval.run(rs, "{type: 'm.room.message', sender: '" + BOB + "', content: {}}",
                5, null, ALICE, null);
        assertEquals(BOB, fromBob.ruleId());
        assertEquals(RuleKind.SENDER, fromBob.kind());
        assertEquals("bob", fromBob.sound());
        EvaluationResult legacyUserIdOnly = Eval.run(rs, "{type: 'm.room.message', sender: '@carol:x',"
                + " user_id: '" + BOB + "', content: {}}", 5, null, ALICE, null);
        assertEquals(ServerDefaults.MESSAGE, legacyUserIdOnly.ruleId());
    }

    @Test
    void roomRulesMatchTheRoomId() {
        PushRuleSet rs = PushRules.effective(DefaultsProfile.SPEC, ALICE, PushRulesJson.parseRuleset(Json.parse(
                "{room: [{rule_id: '!quiet:example.org', actions: []}]}")), null);
        EvaluationResult inRoom = Eval.run(rs, "{type: 'm.room.message', sender: '" + BOB + "',"
                + " room_id: '!quiet:example.org', content: {}}", 5, null, ALICE, null);
        assertEquals("!quiet:example.org", inRoom.ruleId());
        assertEquals(RuleKind.ROOM, inRoom.kind());
        assertFalse(inRoom.shouldNotify());
        EvaluationResult elsewhere = Eval.run(rs, "{type: 'm.room.message', sender: '" + BOB + "',"
                + " room_id: '!other:example.org', content: {}}", 5, null, ALICE, null);
        assertEquals(ServerDefaults.MESSAGE, elsewhere.ruleId());
    }

    @Test
    void displayNameThatLooksLikeAUserIdIsSearchedAsIs() {
        String dn = "@carol:example.org";
        assertTrue(condition("{kind: 'contains_display_name'}", "{content: {body: 'cc @carol:example.org'}}", 5,
                null, dn));
        assertFalse(condition("{kind: 'contains_display_name'}", "{content: {body: 'cc carol'}}", 5, null, dn));
    }

    @Test
    void unknownNotificationsKeyRequires50() {
        String c = "{kind: 'sender_notification_permission', key: 'org.example.key'}";
        String e = "{sender: '" + BOB + "'}";
        assertTrue(condition(c, e, 5, "{users: {'" + BOB + "': 50}}", null));
        assertFalse(condition(c, e, 5, "{users: {'" + BOB + "': 49}}", null));
        assertFalse(condition(c, e, 5, "{users: {'" + BOB + "': 49}, notifications: {room: 0}}", null));
    }

    @Test
    void containsDisplayNameIsCaseInsensitiveWholeWordAndNeverForEmptyNames() {
        String c = "{kind: 'contains_display_name'}";
        assertTrue(condition(c, "{content: {body: 'hey ALICE'}}", 5, null, "Alice"));
        assertFalse(condition(c, "{content: {body: 'hey Alicebot'}}", 5, null, "Alice"));
        assertFalse(condition(c, "{content: {body: 'hey'}}", 5, null, ""));
        assertFalse(condition(c, "{content: {body: ''}}", 5, null, ""));
        assertFalse(condition(c, "{content: {body: 'hey'}}", 5, null, null));
    }

    @Test
    void legacyMentionRulesOnlyInLegacyProfileAndSkippedWithMMentions() {
        String event = "{type: 'm.room.message', sender: '" + BOB + "', content: {body: 'alice Alice @room'}}";
        String pl = "{users: {'" + BOB + "': 100}}";
        assertEquals(ServerDefaults.MESSAGE, Eval.defaults(DefaultsProfile.SPEC, event, 5, pl, "Alice").ruleId());
        assertEquals(ServerDefaults.CONTAINS_DISPLAY_NAME,
                Eval.defaults(DefaultsProfile.LEGACY, event, 5, pl, "Alice").ruleId());
        assertEquals(ServerDefaults.ROOMNOTIF, Eval.defaults(DefaultsProfile.LEGACY, event, 5, pl, null).ruleId());
        String withMentions = "{type: 'm.room.message', sender: '" + BOB + "', content: {body: 'alice Alice @room',"
                + " 'm.mentions': {}}}";
        assertEquals(ServerDefaults.MESSAGE,
                Eval.defaults(DefaultsProfile.LEGACY, withMentions, 5, pl, "Alice").ruleId());
        // the skip also applies to a ruleset given as is (e.g. served by Synapse with these rules)
        PushRuleSet given = PushRulesJson.parseRuleset(PushRulesJson.toJson(
                ServerDefaults.ruleset(DefaultsProfile.LEGACY, ALICE)));
        assertEquals(ServerDefaults.MESSAGE, Eval.run(given, withMentions, 5, pl, ALICE, "Alice").ruleId());
        assertEquals(ServerDefaults.CONTAINS_DISPLAY_NAME, Eval.run(given, event, 5, pl, ALICE, "Alice").ruleId());
    }

    @Test
    void ownEventsNeverNotify() {
        PushRuleSet rs = PushRulesJson.parseRuleset(Json.parse("{override: [{rule_id: 'all', actions: ['notify']}]}"));
        assertFalse(Eval.run(rs, "{type: 'm.room.message', sender: '" + ALICE + "'}", 5, null, ALICE, null)
                .matched());
        assertTrue(Eval.run(rs, "{type: 'm.room.message', sender: '" + BOB + "'}", 5, null, ALICE, null)
                .matched());
    }

    @Test
    void highlightWithoutValueIsTrueAbsentIsFalseTweaksAreAMap() {
        PushRuleSet rs = PushRulesJson.parseRuleset(Json.parse("{override: ["
                + "{rule_id: 'hl', actions: ['notify', {set_tweak: 'highlight'}, {set_tweak: 'x-custom', value: {a: 1}}],"
                + " conditions: [{kind: 'event_match', key: 'content.k', pattern: 'hl'}]},"
                + "{rule_id: 'explicit', actions: ['notify', {set_tweak: 'highlight', value: false},"
                + " {set_tweak: 'sound', value: 'a'}, {set_tweak: 'sound', value: 'b'}],"
                + " conditions: [{kind: 'event_match', key: 'content.k', pattern: 'explicit'}]},"
                + "{rule_id: 'none', actions: ['notify']}]}"));
        EvaluationResult hl = Eval.run(rs, "{content: {k: 'hl'}}", 5, null, ALICE, null);
        assertTrue(hl.highlight());
        assertEquals(BooleanNode.TRUE, hl.tweaks().get("highlight"));
        assertEquals(Json.parse("{a: 1}"), hl.tweaks().get("x-custom")); // other tweaks passed through
        EvaluationResult explicit = Eval.run(rs, "{content: {k: 'explicit'}}", 5, null, ALICE, null);
        assertFalse(explicit.highlight());
        assertEquals(Json.parse("{highlight: false, sound: 'b'}"), explicit.toJson().get("tweaks"));
        EvaluationResult none = Eval.run(rs, "{content: {k: 'other'}}", 5, null, ALICE, null);
        assertFalse(none.highlight());
        assertNull(none.tweaks().get("highlight"));
        assertTrue(none.tweaks().isEmpty());
    }

    @Test
    void historicalActionsAreIgnoredButTheRuleStillWins() {
        PushRuleSet rs = PushRulesJson.parseRuleset(Json.parse("{override: ["
                + "{rule_id: 'quiet', actions: ['dont_notify', 'coalesce'],"
                + " conditions: [{kind: 'event_match', key: 'type', pattern: 'm.room.message'}]},"
                + "{rule_id: 'loud', actions: ['notify']}]}"));
        EvaluationResult r = Eval.run(rs, "{type: 'm.room.message', sender: '" + BOB + "'}", 5, null, ALICE, null);
        assertEquals("quiet", r.ruleId());
        assertEquals(List.of(), r.actions());
        assertFalse(r.shouldNotify());
        assertEquals(Json.parse("[]"), r.toJson().get("actions"));
        // the rule's stored actions keep them (round trip)
        assertEquals(Json.parse("['dont_notify', 'coalesce']"),
                PushRulesJson.toJson(rs).get("override").get(0).get("actions"));
    }

    @Test
    void emptyContentRulePatternIsRejected() {
        List<String> problems = PushRuleValidator.validate(RuleKind.CONTENT, "empty",
                Json.parse("{actions: ['notify'], pattern: ''}"));
        assertEquals(List.of("pattern must not be empty"), problems);
        InvalidPushRuleException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidPushRuleException.class,
                () -> PushRuleValidator.parseUserRule(RuleKind.CONTENT, "empty",
                        Json.parse("{actions: ['notify'], pattern: ''}")));
        assertEquals("pattern must not be empty", e.getMessage());
    }
}

package io.herald.pushrules;

import static io.herald.pushrules.Eval.condition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every condition kind, from the spec (client-server API "Conditions", appendices) and push-rules.md §3. */
class ConditionsTest {

    static Stream<Arguments> eventMatch() {
        return Stream.of(
                // key, pattern, event, expected
                Arguments.of("type", "m.room.message", "{type: 'm.room.message'}", true),
                Arguments.of("type", "M.ROOM.MESSAGE", "{type: 'm.room.message'}", true),
                Arguments.of("type", "m.room.*", "{type: 'm.room.message'}", true),
                Arguments.of("type", "m.room", "{type: 'm.room.message'}", false),
                Arguments.of("type", "*", "{type: ''}", true),
                // absent or non-string property: no match, even for *
                Arguments.of("state_key", "*", "{type: 'x'}", false),
                Arguments.of("content.flag", "*", "{content: {flag: true}}", false),
                Arguments.of("content.n", "1", "{content: {n: 1}}", false),
                Arguments.of("content.o", "*", "{content: {o: {a: 'b'}}}", false),
                Arguments.of("content.l", "*", "{content: {l: ['a']}}", false),
                Arguments.of("content.msgtype", "m.notice", "{content: {msgtype: 'm.notice'}}", true),
                // dotted keys with escapes
                Arguments.of("content.m\\.relates_to.rel_type", "m.thread",
                        "{content: {'m.relates_to': {rel_type: 'm.thread'}}}", true),
                Arguments.of("content.m.relates_to.rel_type", "m.thread",
                        "{content: {'m.relates_to': {rel_type: 'm.thread'}}}", false),
                Arguments.of("content.m\\\\foo", "x", "{content: {'m\\\\foo': 'x'}}", true),
                Arguments.of("content.a\\xb", "x", "{content: {'a\\\\xb': 'x'}}", true),
                // array indices are not addressable
                Arguments.of("content.list.0", "a", "{content: {list: ['a']}}", false),
                // whole value except for content.body
                Arguments.of("content.topic", "cake", "{content: {topic: 'I like cake'}}", false),
                Arguments.of("content.body", "cake", "{content: {body: 'I like cake'}}", true),
                Arguments.of("content.body", "cake", "{content: {body: 'cheesecake'}}", false),
                Arguments.of("content.body", "ex*ple", "{content: {body: 'An exciting triple-whammy'}}", true));
    }

    @ParameterizedTest(name = "[{index}] {0} ~ {1} in {2} -> {3}")
    @MethodSource("eventMatch")
    void eventMatchCondition(String key, String pattern, String event, boolean expected) {
        com.fasterxml.jackson.databind.node.ObjectNode cond = PushRulesJson.MAPPER.createObjectNode();
        cond.put("kind", "event_match");
        cond.put("key", key);
        cond.put("pattern", pattern);
        assertEquals(expected, condition(cond.toString(), event));
    }

    @Test
    void eventMatchWithMissingParametersNeverMatches() {
        assertFalse(condition("{kind: 'event_match', key: 'type'}", "{type: 'x'}"));
        assertFalse(condition("{kind: 'event_match', pattern: '*'}", "{type: 'x'}"));
        assertFalse(condition("{kind: 'event_match', key: 'type', pattern: 5}", "{type: '5'}"));
    }

    static Stream<Arguments> propertyIs() {
        return Stream.of(
                // condition value (JSON), event property (JSON, or null for absent), expected
                Arguments.of("true", "true", true),
                Arguments.of("true", "'true'", false),
                Arguments.of("true", "1", false),
                Arguments.of("false", "false", true),
                Arguments.of("1", "1", true),
                Arguments.of("1", "1.0", false),
                Arguments.of("1", "'1'", false),
                Arguments.of("1", "true", false),
                Arguments.of("-9007199254740991", "-9007199254740991", true),
                Arguments.of("9007199254740991", "9007199254740991", true),
                Arguments.of("'Foo'", "'Foo'", true),
                Arguments.of("'Foo'", "'foo'", false),
                Arguments.of("'foo'", "['foo']", false),
                Arguments.of("'foo'", "{a: 'foo'}", false),
                Arguments.of("null", "null", true),
                Arguments.of("null", null, false),
                Arguments.of("null", "false", false),
                Arguments.of("'x'", null, false),
                // invalid condition values never match
                Arguments.of("1.0", "1.0", false),
                Arguments.of("9007199254740992", "9007199254740992", false),
                Arguments.of("['a']", "['a']", false),
                Arguments.of("{a: 1}", "{a: 1}", false));
    }

    @ParameterizedTest(name = "[{index}] is {0} vs {1} -> {2}")
    @MethodSource("propertyIs")
    void eventPropertyIsCondition(String value, String property, boolean expected) {
        String cond = "{kind: 'event_property_is', key: 'content.p', value: " + value + "}";
        String event = property == null ? "{content: {}}" : "{content: {p: " + property + "}}";
        assertEquals(expected, condition(cond, event));
    }

    @Test
    void eventPropertyIsWithoutValueNeverMatches() {
        assertFalse(condition("{kind: 'event_property_is', key: 'content.p'}", "{content: {p: null}}"));
        assertFalse(condition("{kind: 'event_property_is', value: null}", "{content: {p: null}}"));
    }

    @Test
    void eventPropertyIsWithEscapedKey() {
        assertTrue(condition("{kind: 'event_property_is', key: 'content.m\\\\.federate', value: true}",
                "{content: {'m.federate': true}}"));
        assertFalse(condition("{kind: 'event_property_is', key: 'content.m\\\\.federate', value: true}",
                "{content: {m: {federate: false}}}"));
    }

    static Stream<Arguments> propertyContains() {
        return Stream.of(
                Arguments.of("'a'", "['a', 'b']", true),
                Arguments.of("'b'", "['a', 'b']", true),
                Arguments.of("'c'", "['a', 'b']", false),
                Arguments.of("'A'", "['a']", false),
                Arguments.of("'a'", "'abc'", false), // a string is not searched
                Arguments.of("'a'", "[['a']]", false), // nested arrays are not flattened
                Arguments.of("'a'", "[{x: 'a'}]", false),
                Arguments.of("2", "[1, 2]", true),
                Arguments.of("2", "[1, 2.0]", false),
                Arguments.of("2", "['2']", false),
                Arguments.of("true", "[true]", true),
                Arguments.of("true", "[1]", false),
                Arguments.of("null", "[null]", true),
                Arguments.of("null", "[]", false),
                Arguments.of("'a'", null, false),
                Arguments.of("'a'", "{a: 'a'}", false),
                // long arrays (hash lookup path)
                Arguments.of("'u17'", "['u0','u1','u2','u3','u4','u5','u6','u7','u8','u9','u10','u11','u12','u13',"
                        + "'u14','u15','u16','u17','u18','u19']", true),
                Arguments.of("'u20'", "['u0','u1','u2','u3','u4','u5','u6','u7','u8','u9','u10','u11','u12','u13',"
                        + "'u14','u15','u16','u17','u18','u19']", false));
    }

    @ParameterizedTest(name = "[{index}] {1} contains {0} -> {2}")
    @MethodSource("propertyContains")
    void eventPropertyContainsCondition(String value, String property, boolean expected) {
        String cond = "{kind: 'event_property_contains', key: 'content.p', value: " + value + "}";
        String event = property == null ? "{content: {}}" : "{content: {p: " + property + "}}";
        assertEquals(expected, condition(cond, event));
    }

    static Stream<Arguments> displayName() {
        return Stream.of(
                // display name, body (JSON), expected
                Arguments.of("Alice", "'hi alice!'", true),
                Arguments.of("Alice", "'ALICE: ping'", true),
                Arguments.of("Alice", "'malice'", false),
                Arguments.of("Alice", "'alices'", false),
                Arguments.of("Alice Smith", "'hey ALICE SMITH how are you'", true),
                Arguments.of("Alice Smith", "'hey alice smithers'", false),
                Arguments.of("@bob:example.org", "'ping @bob:example.org please'", true),
                Arguments.of("Zoë", "'hello zoë'", true),
                Arguments.of("", "'anything'", false),
                Arguments.of(null, "'anything'", false),
                Arguments.of("Alice", null, false),
                Arguments.of("Alice", "5", false),
                Arguments.of("Alice", "['alice']", false));
    }

    @ParameterizedTest(name = "[{index}] ''{0}'' in {1} -> {2}")
    @MethodSource("displayName")
    void containsDisplayNameCondition(String displayName, String body, boolean expected) {
        String event = body == null ? "{content: {}}" : "{content: {body: " + body + "}}";
        assertEquals(expected, condition("{kind: 'contains_display_name'}", event, 5, null, displayName));
    }

    @ParameterizedTest(name = "[{index}] is ''{0}'' with {1} members -> {2}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "2|2|true", "2|3|false", "==2|2|true", "==2|1|false",
        "<2|1|true", "<2|2|false", ">2|3|true", ">2|2|false",
        "<=2|2|true", "<=2|3|false", ">=2|2|true", ">=2|1|false",
        "10|10|true", "0|0|true", "99999999999999999999|5|false", "<99999999999999999999|5|true",
        // invalid operands never match
        "=2|2|false", "!=2|3|false", "=<2|2|false", "''|2|false", "abc|2|false", "' 2'|2|false", "'2 '|2|false",
        "-2|2|false", "NULL|2|false"})
    void roomMemberCountCondition(String is, long members, boolean expected) {
        String cond = is == null ? "{kind: 'room_member_count'}"
                : "{kind: 'room_member_count', is: " + PushRulesJson.MAPPER.valueToTree(is) + "}";
        assertEquals(expected, condition(cond, "{type: 'm.room.message'}", members, null, null));
    }

    static Stream<Arguments> senderPermission() {
        String bob = "'" + Eval.BOB + "'";
        return Stream.of(
                // key, power levels content (or null), expected for sender bob
                Arguments.of("room", "{users: {" + bob + ": 50}}", true),
                Arguments.of("room", "{users: {" + bob + ": 49}}", false),
                Arguments.of("room", "{users: {}, users_default: 50}", true),
                Arguments.of("room", "{users: {}}", false),
                Arguments.of("room", "{users: {" + bob + ": 10}, notifications: {room: 10}}", true),
                Arguments.of("room", "{users: {" + bob + ": 9}, notifications: {room: 10}}", false),
                Arguments.of("room", "{users_default: 100, users: {" + bob + ": 0}}", false),
                // an unknown notifications key requires 50
                Arguments.of("custom", "{users: {" + bob + ": 50}}", true),
                Arguments.of("custom", "{users: {" + bob + ": 49}}", false),
                Arguments.of("custom", "{users: {" + bob + ": 1}, notifications: {custom: 1}}", true),
                // stringy levels (pre-v10 rooms) are read as integers
                Arguments.of("room", "{users: {" + bob + ": '60'}}", true),
                Arguments.of("room", "{users: {" + bob + ": 60}, notifications: {room: '70'}}", false),
                // no power-levels event: everyone but the creator has 0
                Arguments.of("room", null, false));
    }

    @ParameterizedTest(name = "[{index}] {0} with {1} -> {2}")
    @MethodSource("senderPermission")
    void senderNotificationPermissionCondition(String key, String powerLevels, boolean expected) {
        String event = "{type: 'm.room.message', sender: '" + Eval.BOB + "'}";
        assertEquals(expected, condition("{kind: 'sender_notification_permission', key: '" + key + "'}",
                event, 5, powerLevels, null));
    }

    @Test
    void senderNotificationPermissionWithoutKeyOrSenderNeverMatches() {
        String pl = "{users_default: 100}";
        assertFalse(condition("{kind: 'sender_notification_permission'}",
                "{sender: '" + Eval.BOB + "'}", 5, pl, null));
        assertFalse(condition("{kind: 'sender_notification_permission', key: 'room'}", "{type: 'x'}", 5, pl, null));
        assertTrue(condition("{kind: 'sender_notification_permission', key: 'room'}",
                "{sender: '" + Eval.BOB + "'}", 5, pl, null));
    }

    @Test
    void roomCreatorsWithoutPowerLevelsHave100AndPrivilegedCreatorsAlwaysPass() {
        PushEvent e = PushEvent.of(Json.parse("{sender: '" + Eval.BOB + "'}"));
        RoomContext noPl = RoomContext.of(3).withCreators(java.util.Set.of(Eval.BOB), false);
        assertTrue(noPl.senderMayNotify(e.sender(), "room"));
        assertEquals(0, noPl.userLevel(Eval.ALICE));
        RoomContext v12 = RoomContext.of(3, Json.parse("{users: {}, notifications: {room: 1000}}"))
                .withCreators(java.util.Set.of(Eval.BOB), true);
        assertTrue(v12.senderMayNotify(e.sender(), "room"));
        assertFalse(v12.senderMayNotify(Eval.ALICE, "room"));
    }

    @Test
    void unknownConditionKindsNeverMatchAndEvaluationGoesOn() {
        assertFalse(condition("{kind: 'org.example.always'}", "{type: 'm.room.message'}"));
        assertFalse(condition("{kind: 'org.matrix.msc3931.room_version_supports', feature_name: 'x'}", "{type: 'x'}"));
        assertFalse(condition("{}", "{type: 'x'}"));
        PushRuleSet rs = PushRulesJson.parseRuleset(Json.parse("{override: ["
                + "{rule_id: 'unknown', actions: ['notify', {set_tweak: 'highlight'}], conditions: [{kind: 'nope'}]},"
                + "{rule_id: 'next', actions: ['notify'], conditions: [{kind: 'event_match', key: 'type', pattern: '*'}]}"
                + "]}"));
        EvaluationResult r = Eval.run(rs, "{type: 'm.room.message', sender: '@x:y'}", 5, null, Eval.ALICE, null);
        assertEquals("next", r.ruleId());
        assertFalse(r.highlight());
    }

    @Test
    void noConditionsAlwaysMatches() {
        PushRuleSet absent = PushRulesJson.parseRuleset(Json.parse("{underride: [{rule_id: 'a', actions: ['notify']}]}"));
        PushRuleSet empty = PushRulesJson.parseRuleset(
                Json.parse("{underride: [{rule_id: 'e', actions: ['notify'], conditions: []}]}"));
        assertEquals("a", Eval.run(absent, "{type: 'x.y'}", 5, null, Eval.ALICE, null).ruleId());
        assertEquals("e", Eval.run(empty, "{type: 'x.y'}", 5, null, Eval.ALICE, null).ruleId());
    }

    @Test
    void disabledRulesNeverMatch() {
        PushRuleSet rs = PushRulesJson.parseRuleset(Json.parse("{override: ["
                + "{rule_id: 'off', enabled: false, actions: ['notify', {set_tweak: 'sound', value: 'x'}]},"
                + "{rule_id: 'on', actions: ['notify']}]}"));
        EvaluationResult r = Eval.run(rs, "{type: 'x'}", 5, null, Eval.ALICE, null);
        assertEquals("on", r.ruleId());
        assertEquals(null, r.sound());
    }

    @Test
    void allConditionsMustHold() {
        PushRuleSet rs = PushRulesJson.parseRuleset(Json.parse("{override: [{rule_id: 'both', actions: ['notify'],"
                + " conditions: [{kind: 'event_match', key: 'type', pattern: 'm.room.message'},"
                + " {kind: 'room_member_count', is: '2'}]}]}"));
        assertTrue(Eval.run(rs, "{type: 'm.room.message'}", 2, null, Eval.ALICE, null).matched());
        assertFalse(Eval.run(rs, "{type: 'm.room.message'}", 3, null, Eval.ALICE, null).matched());
        assertFalse(Eval.run(rs, "{type: 'm.room.topic'}", 2, null, Eval.ALICE, null).matched());
    }
}

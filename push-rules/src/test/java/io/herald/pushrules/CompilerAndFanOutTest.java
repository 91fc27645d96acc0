package io.herald.pushrules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.pushrules.defaults.ServerDefaults;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Compilation cache (shared compiled rulesets across users) and fan-out memoisation. */
class CompilerAndFanOutTest {

    private static final List<String> EVENTS = List.of(
            "{type: 'm.room.message', sender: '@u0:hs', room_id: '!r:hs', content: {msgtype: 'm.text', body: 'hello all'}}",
            "{type: 'm.room.message', sender: '@u0:hs', room_id: '!r:hs', content: {body: 'hi u1 and U2: cake?',"
                    + " 'm.mentions': {user_ids: ['@u3:hs', '@u4:hs']}}}",
            "{type: 'm.room.message', sender: '@u0:hs', room_id: '!r:hs', content: {body: 'u1 Uno @room cake'}}",
            "{type: 'm.room.message', sender: '@u1:hs', room_id: '!r:hs', content: {body: 'own message u1'}}",
            "{type: 'm.room.message', sender: '@u0:hs', room_id: '!r:hs', content: {body: 'x', 'm.mentions':"
                    + " {room: true}}}",
            "{type: 'm.room.member', sender: '@u0:hs', room_id: '!r:hs', state_key: '@u2:hs', content:"
                    + " {membership: 'invite'}}",
            "{type: 'm.room.member', sender: '@u0:hs', room_id: '!r:hs', state_key: '@u0:hs', content:"
                    + " {membership: 'join'}}",
            "{type: 'm.room.encrypted', sender: '@u0:hs', room_id: '!r:hs', content: {}}",
            "{type: 'm.call.invite', sender: '@u0:hs', room_id: '!r:hs', content: {}}",
            "{type: 'm.room.message', sender: '@u0:hs', room_id: '!r:hs', content: {msgtype: 'm.notice', body: 'u1'}}",
            "{type: 'm.room.tombstone', sender: '@u0:hs', room_id: '!r:hs', state_key: '', content: {}}",
            "{type: 'm.room.message', sender: '@u0:hs', room_id: '!r:hs', content: {body: 'u1', 'm.relates_to':"
                    + " {rel_type: 'm.replace'}, 'm.mentions': {user_ids: ['@u1:hs']}}}");

    private static final String PL = "{users: {'@u0:hs': 100}}";

    @Test
    void usersWithDefaultRulesShareOneCompiledRuleset() {
        RuleSetCompiler compiler = new RuleSetCompiler(100);
        CompiledRuleSet a = compiler.compile(ServerDefaults.ruleset(DefaultsProfile.SPEC, "@a:hs"), "@a:hs");
        CompiledRuleSet b = compiler.compile(ServerDefaults.ruleset(DefaultsProfile.SPEC, "@b:hs"), "@b:hs");
        assertSame(a, b);
        CompiledRuleSet la = compiler.compile(ServerDefaults.ruleset(DefaultsProfile.LEGACY, "@a:hs"), "@a:hs");
        CompiledRuleSet lb = compiler.compile(ServerDefaults.ruleset(DefaultsProfile.LEGACY, "@b:hs"), "@b:hs");
        assertSame(la, lb);
        assertNotSame(a, la);
        assertEquals(2, compiler.cacheSize());
        // without templating the user IDs differ, so the rulesets do too
        assertNotEquals(compiler.compile(ServerDefaults.ruleset(DefaultsProfile.SPEC, "@a:hs")),
                compiler.compile(ServerDefaults.ruleset(DefaultsProfile.SPEC, "@b:hs")));
        // separately compiled equal rulesets are equal (fan-out shares their plan)
        assertEquals(a, new RuleSetCompiler(0).compile(ServerDefaults.ruleset(DefaultsProfile.SPEC, "@c:hs"), "@c:hs"));
    }

    @Test
    void cacheIsBounded() {
        RuleSetCompiler compiler = new RuleSetCompiler(2);
        for (int i = 0; i < 5; i++) {
            compiler.compile(PushRulesJson.parseRuleset(Json.parse("{content: [{rule_id: 'k', pattern: 'w" + i
                    + "', actions: ['notify']}]}")), "@a:hs");
            assertTrue(compiler.cacheSize() <= 2);
        }
        assertTrue(compiler.cacheSize() >= 1);
    }

    @Test
    void disabledAndImpossibleRulesAreDropped() {
        PushRuleSet rs = PushRulesJson.parseRuleset(Json.parse("{override: ["
                + "{rule_id: 'off', enabled: false, actions: []},"
                + "{rule_id: 'unknown', actions: [], conditions: [{kind: 'nope'}]},"
                + "{rule_id: 'ok', actions: [], conditions: [{kind: 'event_match', key: 'type', pattern: 'x'}]}],"
                + " content: [{rule_id: 'nopattern', actions: []}]}"));
        assertEquals(List.of("ok"), new RuleSetCompiler(0).compile(rs).ruleIds());
    }

    private static List<Member> room(RuleSetCompiler compiler, int n) {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String uid = "@u" + i + ":hs";
            PushRuleSet rules;
            String displayName = i % 4 == 0 ? null : (i == 2 ? "Uno" : "User " + i);
            switch (i % 5) {
                case 0:
                case 1:
                    rules = ServerDefaults.ruleset(DefaultsProfile.SPEC, uid);
                    break;
                case 2:
                    rules = ServerDefaults.ruleset(DefaultsProfile.LEGACY, uid);
                    break;
                case 3:
                    rules = ServerDefaults.effective(DefaultsProfile.SPEC, uid, PushRulesJson.parseRuleset(Json.parse(
                            "{content: [{rule_id: 'cake', pattern: 'cake', actions: ['notify',"
                                    + " {set_tweak: 'sound', value: 'cake'}]}]}")), null);
                    break;
                default:
                    // a user rule naming the user themself (templated) and a sender rule
                    rules = ServerDefaults.effective(DefaultsProfile.SPEC, uid, PushRulesJson.parseRuleset(Json.parse(
                            "{override: [{rule_id: 'me', actions: ['notify', {set_tweak: 'sound', value: 'me'}],"
                                    + " conditions: [{kind: 'event_property_is', key: 'state_key', value: '" + uid
                                    + "'}]}], sender: [{rule_id: '@u0:hs', actions: []}]}")), null);
            }
            members.add(new Member(Recipient.of(uid, displayName), compiler.compile(rules, uid)));
        }
        return members;
    }

    @Test
    void fanOutGivesExactlyThePerMemberResults() {
        RuleSetCompiler compiler = new RuleSetCompiler(1000);
        List<Member> members = room(compiler, 40);
        RoomContext roomCtx = RoomContext.of(members.size(), Json.parse(PL));
        int highlighted = 0;
        for (String e : EVENTS) {
            PushEvent event = PushEvent.of(Json.parse(e));
            List<EvaluationResult> all = PushRuleEvaluator.evaluateAll(event, roomCtx, members);
            for (int i = 0; i < members.size(); i++) {
                Member m = members.get(i);
                // the literal (untemplated) ruleset of this member, compiled and evaluated on its own
                EvaluationResult expected = m.rules().evaluate(event, roomCtx, m.recipient());
                assertEquals(expected, all.get(i), e + " for " + m.recipient());
                highlighted += all.get(i).highlight() ? 1 : 0;
            }
        }
        assertTrue(highlighted > 0);
    }

    @Test
    void templatedRulesetsEvaluateLikeTheLiteralOnes() {
        RuleSetCompiler compiler = new RuleSetCompiler(1000);
        List<Member> members = room(compiler, 10);
        RoomContext roomCtx = RoomContext.of(2, Json.parse(PL));
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            String uid = m.recipient().userId();
            PushRuleSet literal;
            switch (i % 5) {
                case 2:
                    literal = ServerDefaults.ruleset(DefaultsProfile.LEGACY, uid);
                    break;
                default:
                    literal = ServerDefaults.ruleset(DefaultsProfile.SPEC, uid);
            }
            CompiledRuleSet plain = compiler.compile(literal, null);
            CompiledRuleSet templated = compiler.compile(literal, uid);
            for (String e : EVENTS) {
                PushEvent event = PushEvent.of(Json.parse(e));
                assertEquals(plain.evaluate(event, roomCtx, m.recipient()),
                        templated.evaluate(event, roomCtx, m.recipient()), e + " for " + uid);
            }
        }
    }

    @Test
    void fanOutSpecifics() {
        RuleSetCompiler compiler = new RuleSetCompiler(1000);
        List<Member> members = room(compiler, 10);
        RoomContext roomCtx = RoomContext.of(members.size(), Json.parse(PL));
        // mentions of u3 and u4; u1 and U2 appear in the body; u3 has a "cake" keyword rule
        List<EvaluationResult> r = PushRuleEvaluator.evaluateAll(PushEvent.of(Json.parse(EVENTS.get(1))), roomCtx,
                members);
        assertEquals(EvaluationResult.NO_MATCH, r.get(0)); // the sender
        assertEquals(ServerDefaults.MESSAGE, r.get(1).ruleId());
        assertEquals(ServerDefaults.MESSAGE, r.get(2).ruleId()); // legacy, but the event has m.mentions
        assertEquals(ServerDefaults.IS_USER_MENTION, r.get(3).ruleId());
        assertEquals(ServerDefaults.IS_USER_MENTION, r.get(4).ruleId());
        assertEquals("cake", r.get(8).ruleId()); // user content rule "cake" (before the underride rules)
        assertEquals(ServerDefaults.MESSAGE, PushRuleEvaluator.evaluateAll(PushEvent.of(Json.parse(EVENTS.get(0))),
                roomCtx, members).get(8).ruleId());
        assertEquals("cake", PushRuleEvaluator.evaluateAll(PushEvent.of(Json.parse(EVENTS.get(2))), roomCtx,
                members).get(8).sound());
        // invite for u2 only
        List<EvaluationResult> inv = PushRuleEvaluator.evaluateAll(PushEvent.of(Json.parse(EVENTS.get(5))), roomCtx,
                members);
        assertEquals(ServerDefaults.INVITE_FOR_ME, inv.get(2).ruleId());
        assertEquals(ServerDefaults.MEMBER_EVENT, inv.get(1).ruleId());
        // notifications(): only notifying members
        List<java.util.Map.Entry<Member, EvaluationResult>> notify = PushRuleEvaluator.notifications(
                PushEvent.of(Json.parse(EVENTS.get(0))), roomCtx, members);
        assertEquals(7, notify.size()); // everyone but the sender and the two members whose sender rule mutes u0
    }

    @Test
    void perEventPlansLeaveOnlyUserDependentRulesForMembers() {
        RuleSetCompiler compiler = new RuleSetCompiler(10);
        CompiledRuleSet spec = compiler.compile(ServerDefaults.ruleset(DefaultsProfile.SPEC, "@a:hs"), "@a:hs");
        CompiledRuleSet legacy = compiler.compile(ServerDefaults.ruleset(DefaultsProfile.LEGACY, "@a:hs"), "@a:hs");
        RoomContext roomCtx = RoomContext.of(5);
        PushEvent plain = PushEvent.of(Json.parse(EVENTS.get(0)));
        assertEquals(0, spec.plan(plain, roomCtx).residualCount());
        assertEquals(ServerDefaults.MESSAGE, spec.plan(plain, roomCtx).resolve(plain, roomCtx,
                Recipient.of("@z:hs")).ruleId());
        PushEvent mentions = PushEvent.of(Json.parse(EVENTS.get(1)));
        assertEquals(1, spec.plan(mentions, roomCtx).residualCount()); // is_user_mention
        assertEquals(1, legacy.plan(mentions, roomCtx).residualCount()); // legacy rules skipped: m.mentions
        PushEvent noMentions = PushEvent.of(Json.parse(EVENTS.get(2)));
        assertEquals(2, legacy.plan(noMentions, roomCtx).residualCount()); // display name, user name
        PushEvent invite = PushEvent.of(Json.parse(EVENTS.get(5)));
        assertEquals(1, spec.plan(invite, roomCtx).residualCount()); // invite_for_me (state_key = recipient?)
        assertEquals(ServerDefaults.MEMBER_EVENT, spec.plan(invite, roomCtx).resolve(invite, roomCtx,
                Recipient.of("@z:hs")).ruleId());
    }

    @Test
    void fanOutRejectsAShortOutputArray() {
        List<Member> members = room(new RuleSetCompiler(10), 3);
        assertThrows(IllegalArgumentException.class, () -> PushRuleEvaluator.evaluateAll(
                PushEvent.of(Json.parse(EVENTS.get(0))), RoomContext.of(3), members, new EvaluationResult[2]));
    }
}

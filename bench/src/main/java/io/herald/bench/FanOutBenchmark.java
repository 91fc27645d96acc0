package io.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.pushrules.DefaultsProfile;
import io.herald.pushrules.EvaluationResult;
import io.herald.pushrules.Member;
import io.herald.pushrules.PushEvent;
import io.herald.pushrules.PushRuleEvaluator;
import io.herald.pushrules.PushRuleSet;
import io.herald.pushrules.PushRules;
import io.herald.pushrules.Recipient;
import io.herald.pushrules.RoomContext;
import io.herald.pushrules.RuleSetCompiler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * (c) one message into a room of 10,000 members: 90% keep the default rules, 10% have 5 keyword content rules each
 * (distinct keywords per user, none matching). Each invocation flattens the event and evaluates it for every
 * member; members' rulesets are compiled beforehand (a service keeps them compiled per user).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FanOutBenchmark {

    @Param({"10000"})
    int members;

    /**
     * Server defaults: {@code spec}, or {@code legacy} with a message without {@code m.mentions}, so that the
     * display-name and user-name rules are checked for every member.
     */
    @Param({"spec", "legacy"})
    String defaults;

    JsonNode eventJson;
    RoomContext room;
    List<Member> room10k;
    EvaluationResult[] out;

    @Setup
    public void setup() {
        eventJson = Fixtures.json(defaults.equals("legacy") ? Fixtures.MESSAGE_WITHOUT_MENTIONS : Fixtures.MESSAGE);
        if (eventJson.get("content").has("m.mentions") == defaults.equals("legacy")) {
            throw new IllegalStateException("fixture mismatch");
        }
        room = RoomContext.of(members, Fixtures.json("{\"users\":{\"@bob:example.org\":50},\"users_default\":0}"));
        RuleSetCompiler compiler = new RuleSetCompiler(members + 10);
        room10k = new ArrayList<>(members);
        for (int i = 0; i < members; i++) {
            String uid = i == 0 ? "@bob:example.org" : "@user" + i + ":example.org";
            PushRuleSet user = i % 10 == 3 ? Fixtures.keywordRules("u" + i + "k", 5) : null;
            PushRuleSet rules = PushRules.effective(DefaultsProfile.fromWireName(defaults), uid, user, null);
            room10k.add(new Member(Recipient.of(uid, "User " + i), compiler.compile(rules, uid)));
        }
        out = new EvaluationResult[members];
        fanOut();
        int notified = 0;
        for (EvaluationResult r : out) {
            notified += r.shouldNotify() ? 1 : 0;
        }
        if (notified != members - 1) {
            throw new IllegalStateException("expected everyone but the sender to be notified, got " + notified);
        }
    }

    /** (c) target: at most 5 ms (5,000 µs) for all members. */
    @Benchmark
    public EvaluationResult[] c_fanOut10k() {
        return fanOut();
    }

    private EvaluationResult[] fanOut() {
        PushRuleEvaluator.evaluateAll(PushEvent.of(eventJson), room, room10k, out);
        return out;
    }
}

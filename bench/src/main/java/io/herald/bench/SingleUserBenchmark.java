package io.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.pushrules.CompiledRuleSet;
import io.herald.pushrules.DefaultsProfile;
import io.herald.pushrules.EvaluationResult;
import io.herald.pushrules.PushEvent;
import io.herald.pushrules.PushRules;
import io.herald.pushrules.Recipient;
import io.herald.pushrules.RoomContext;
import io.herald.pushrules.RuleSetCompiler;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * (a) one message against the default ruleset for one user, (b) the same with 50 non-matching keyword content
 * rules. The {@code evaluate*} benchmarks use an event flattened once (as fan-out does); the {@code flattenAnd*}
 * ones include flattening the parsed event for every evaluation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SingleUserBenchmark {

    private static final String USER = "@alice:example.org";

    JsonNode eventJson;
    PushEvent event;
    RoomContext room;
    Recipient alice;
    CompiledRuleSet defaults;
    CompiledRuleSet fiftyKeywords;

    @Setup
    public void setup() {
        eventJson = Fixtures.json(Fixtures.MESSAGE);
        event = PushEvent.of(eventJson);
        room = RoomContext.of(Fixtures.GROUP_ROOM_MEMBERS,
                Fixtures.json("{\"users\":{\"@bob:example.org\":50},\"users_default\":0}"));
        alice = Recipient.of(USER, "Alice");
        RuleSetCompiler compiler = new RuleSetCompiler(100);
        defaults = compiler.compile(PushRules.serverDefaults(DefaultsProfile.SPEC, USER), USER);
        fiftyKeywords = compiler.compile(PushRules.effective(DefaultsProfile.SPEC, USER,
                Fixtures.keywordRules("k", 50), null), USER);
        check(defaults.evaluate(event, room, alice));
        check(fiftyKeywords.evaluate(event, room, alice));
    }

    private static void check(EvaluationResult r) {
        if (!".m.rule.message".equals(r.ruleId())) {
            throw new IllegalStateException("unexpected result " + r);
        }
    }

    /** (a) target: at most 500 ns. */
    @Benchmark
    public EvaluationResult a_defaultRules() {
        return defaults.evaluate(event, room, alice);
    }

    /** (b) target: at most 3 µs. */
    @Benchmark
    public EvaluationResult b_fiftyKeywordRules() {
        return fiftyKeywords.evaluate(event, room, alice);
    }

    @Benchmark
    public EvaluationResult a_flattenAndDefaultRules() {
        return defaults.evaluate(PushEvent.of(eventJson), room, alice);
    }

    @Benchmark
    public EvaluationResult b_flattenAndFiftyKeywordRules() {
        return fiftyKeywords.evaluate(PushEvent.of(eventJson), room, alice);
    }
}

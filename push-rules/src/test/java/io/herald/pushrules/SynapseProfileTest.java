package io.herald.pushrules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.pushrules.defaults.ServerDefaults;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * The {@code synapse} profile is exactly what Synapse 1.160 serves: the test resource is the body of a real Synapse's
 * {@code GET /_matrix/client/v3/pushrules/} for a fresh user {@code @alice:localhost:8008}.
 */
class SynapseProfileTest {

    private static final String ALICE = "@alice:localhost:8008";

    @Test
    void theRulesetIsSynapsesFieldForField() throws IOException {
        JsonNode synapse;
        try (InputStream in = getClass().getResourceAsStream("/synapse-1.160-pushrules-alice.json")) {
            synapse = PushRulesJson.MAPPER.readTree(in).get("global");
        }
        ObjectNode expected = synapse.deepCopy();
        expected.remove("postcontent"); // an unstable kind (MSC4306) the model does not have; the API adds it back
        ObjectNode herald = PushRulesJson.toJson(ServerDefaults.ruleset(DefaultsProfile.SYNAPSE, ALICE));
        for (RuleKind kind : RuleKind.values()) {
            // same rules in the same order, each rule equal as JSON (key order aside)
            assertEquals(expected.get(kind.wireName()), herald.get(kind.wireName()), kind.wireName());
        }
        assertEquals(expected.size(), herald.size());
    }

    @Test
    void itsLegacyMentionRulesStepAsideForMMentionsAndItsUnderridesSayNoHighlight() {
        CompiledRuleSet rules = RuleSetCompiler.shared().compile(
                ServerDefaults.ruleset(DefaultsProfile.SYNAPSE, ALICE), ALICE);
        RoomContext room = RoomContext.of(5);
        Recipient alice = Recipient.of(ALICE, "Alice");
        EvaluationResult byName = rules.evaluate(PushEvent.of(Json.parse(
                "{type: 'm.room.message', sender: '@bob:localhost:8008', content: {body: 'hi alice'}}")), room, alice);
        assertEquals(ServerDefaults.CONTAINS_DISPLAY_NAME, byName.ruleId());
        assertTrue(byName.highlight());
        EvaluationResult withMentions = rules.evaluate(PushEvent.of(Json.parse(
                "{type: 'm.room.message', sender: '@bob:localhost:8008', content: {body: 'hi alice', 'm.mentions': {}}}")),
                room, alice);
        assertEquals(ServerDefaults.MESSAGE, withMentions.ruleId());
        assertFalse(withMentions.highlight());
        assertEquals(Json.parse("{highlight: false}"), PushRulesJson.MAPPER.valueToTree(withMentions.tweaks()));
        EvaluationResult jitsi = rules.evaluate(PushEvent.of(Json.parse("{type: 'im.vector.modular.widgets',"
                + " state_key: 'w1', sender: '@bob:localhost:8008', content: {type: 'jitsi'}}")), room, alice);
        assertEquals(ServerDefaults.JITSI, jitsi.ruleId());
        assertTrue(jitsi.shouldNotify());
    }
}

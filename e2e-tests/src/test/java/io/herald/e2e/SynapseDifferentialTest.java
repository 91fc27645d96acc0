package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.atlassian.oai.validator.model.Request;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.common.Json;
import io.herald.common.Topics;
import io.herald.testsupport.EmbeddedKafka;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.MatrixSpec;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Herald side by side with a real Synapse (issue #16, "Proof"): the push-rule API answering the same calls, and the
 * same room and events pushed by both to one recording gateway. Every difference is either listed here as one
 * docs/architecture.md justifies ("Herald and Synapse: the differences") or fails the test; so does a listed difference
 * that is gone. Runs with the Synapse interoperability test (docs/synapse.md): skipped without
 * {@code HERALD_SYNAPSE_URL}, failed without it when {@code HERALD_REQUIRE_SYNAPSE=1}.
 */
class SynapseDifferentialTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String RUN = Long.toString(System.currentTimeMillis(), 36)
            + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
    private static final String APP = "io.herald.diff";

    private static String skipped;
    private static SynapseClient synapse;
    private static ServiceProcess rules;
    private static FakePushGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        synapse = SynapseClient.fromEnvironment();
        if (synapse == null) {
            String message = "no Synapse: HERALD_SYNAPSE_URL is not set (docs/synapse.md)";
            if ("1".equals(System.getenv("HERALD_REQUIRE_SYNAPSE"))) {
                fail("HERALD_REQUIRE_SYNAPSE=1 but " + message);
            }
            System.err.println("SynapseDifferentialTest skipped: " + message);
            skipped = message;
            return;
        }
        SynapseStack.Services services = SynapseStack.start(synapse.base, synapse.serverName);
        rules = services.rules();
        gateway = services.gateway();
    }

    @BeforeEach
    void synapseIsThere() {
        Assumptions.assumeTrue(skipped == null, skipped);
    }

    // The services are SynapseStack's (shared with SynapseInteropTest), stopped when the JVM ends.

    // ---------------------------------------------------------------------------------------------------------------
    // The push-rule API

    /** One call of the push-rule API: method, path under {@code pushrules/}, body (null: none). */
    private record Call(String method, String path, String body) {
        @Override
        public String toString() {
            return method + " " + path + (body == null ? "" : " " + body);
        }
    }

    private static Call get(String path) {
        return new Call("GET", path, null);
    }

    private static Call put(String path, String body) {
        return new Call("PUT", path, body);
    }

    private static Call delete(String path) {
        return new Call("DELETE", path, null);
    }

    private static final String COND = "{\"kind\":\"event_match\",\"key\":\"content.body\",\"pattern\":\"%s\"}";

    /**
     * Calls that must answer the same on both: status, errcode, and for reads the body. In this order (later ones see
     * what earlier ones did); the last ones are the documented differences, whose state no later call reads.
     */
    private static List<Call> sameCalls() {
        return List.of(
                get(""), get("global/"), get("global/override/"), get("global/underride/"), get("global/content/"),
                get("global/override/.m.rule.master"), get("global/override/.m.rule.master/enabled"),
                get("global/underride/.m.rule.call/actions"), get("global/override/nope"),
                get("global/sideways/x"), get("global/override/.m.rule.master/nothing"),
                put("global/override/a", "{\"actions\":[\"notify\"],\"conditions\":[" + COND.formatted("a") + "]}"),
                put("global/override/b?before=a", "{\"actions\":[],\"conditions\":[" + COND.formatted("b") + "]}"),
                put("global/override/c?after=a", "{\"actions\":[\"notify\",{\"set_tweak\":\"sound\",\"value\":\"x\"}],"
                        + "\"conditions\":[]}"),
                put("global/override/d?before=c&after=b", "{\"actions\":[],\"conditions\":[]}"),
                get("global/override/"),
                put("global/override/a", "{\"actions\":[\"dont_notify\"],\"conditions\":[]}"),
                get("global/override/a"), get("global/override/"),
                put("global/override/e?before=ghost", "{\"actions\":[],\"conditions\":[]}"),
                put("global/override/e?after=.m.rule.master", "{\"actions\":[],\"conditions\":[]}"),
                put("global/override/.mine", "{\"actions\":[],\"conditions\":[]}"),
                put("global/sideways/x", "{\"actions\":[]}"),
                put("global/override/x", "{not json"),
                put("global/override/x", "{\"conditions\":[]}"),
                put("global/override/x", "{\"actions\":[\"explode\"],\"conditions\":[]}"),
                put("global/override/x", "{\"actions\":[],\"conditions\":[{\"key\":\"type\"}]}"),
                put("global/override/x", "[]"),
                put("global/content/x", "{\"actions\":[\"notify\"]}"),
                put("global/postcontent/x", "{\"actions\":[]}"),
                put("global/content/cake", "{\"pattern\":\"cake*lie\",\"actions\":[\"notify\"]}"),
                get("global/content/cake"), get("global/content/cake/pattern"), get("global/content/"),
                put("global/room/!r:example.org", "{\"actions\":[\"notify\"]}"), get("global/room/!r:example.org"),
                put("global/sender/@s:example.org", "{\"actions\":[]}"), get("global/sender/"),
                put("global/override/a/enabled", "{\"enabled\":false}"), get("global/override/a"),
                put("global/override/a", "{\"actions\":[\"notify\"],\"conditions\":[]}"),
                get("global/override/a/enabled"),
                put("global/underride/.m.rule.message/enabled", "{\"enabled\":false}"),
                get("global/underride/.m.rule.message"),
                put("global/underride/.m.rule.call/enabled", "true"), get("global/underride/.m.rule.call/enabled"),
                put("global/underride/.m.rule.message/enabled", "{\"enabled\":\"yes\"}"),
                put("global/underride/.m.rule.message/actions", "{\"actions\":[\"notify\",{\"set_tweak\":\"sound\","
                        + "\"value\":\"bell\"}]}"),
                get("global/underride/.m.rule.message/actions"),
                put("global/underride/.m.rule.message/actions", "{\"actions\":\"notify\"}"),
                put("global/underride/.m.rule.message/actions", "[]"),
                put("global/override/.m.rule.nope/enabled", "{\"enabled\":true}"),
                put("global/override/.m.rule.nope/actions", "{\"actions\":[]}"),
                put("global/override/nope/enabled", "{\"enabled\":true}"),
                put("global/override/nope/enabled", "{\"enabled\":7}"),
                put("global/override/a/foo", "{}"),
                put("global/sideways/a/enabled", "{\"enabled\":true}"),
                delete("global/underride/.m.rule.message"), delete("global/override/.m.rule.master"),
                delete("global/override/nope"), delete("global/sideways/a"),
                delete("global/override/c"), get("global/override/c"),
                get(""));
    }

    /**
     * Calls that answer differently on purpose (docs/architecture.md, "Herald and Synapse: the differences"), with
     * Synapse's and Herald's status.
     */
    private static Map<Call, List<Integer>> differentCalls() {
        Map<Call, List<Integer>> m = new LinkedHashMap<>();
        // the spec: conditions are "Only applicable to underride and override rules, empty Array by default"
        m.put(put("global/override/noconditions", "{\"actions\":[]}"), List.of(400, 200));
        // the spec: event_match's key and pattern are required; an empty content pattern would match every body
        m.put(put("global/override/nokey", "{\"actions\":[],\"conditions\":[{\"kind\":\"event_match\","
                + "\"pattern\":\"x\"}]}"), List.of(200, 400));
        m.put(put("global/content/empty", "{\"pattern\":\"\",\"actions\":[]}"), List.of(200, 400));
        // the spec: the highlight tweak's value is a boolean
        m.put(put("global/override/badtweak", "{\"actions\":[{\"set_tweak\":\"highlight\",\"value\":\"yes\"}],"
                + "\"conditions\":[]}"), List.of(200, 400));
        return m;
    }

    @Test
    void thePushRuleApiAnswersAsSynapse() throws IOException {
        SynapseClient.User user = synapse.register("rulesdiff" + RUN, "Rules " + RUN);
        List<String> differences = new ArrayList<>();
        for (Call call : sameCalls()) {
            SynapseClient.Answer s = onSynapse(user, call);
            SynapseClient.Answer h = onHerald(user, call);
            if (s.status() != h.status() || !java.util.Objects.equals(s.errcode(), h.errcode())
                    || (call.method().equals("GET") && s.status() == 200 && !s.json().equals(h.json()))) {
                differences.add(call + "\n  Synapse " + s.status() + " " + s.text() + "\n  Herald  " + h.status() + " "
                        + h.text());
            }
        }
        differentCalls().forEach((call, statuses) -> {
            try {
                int s = onSynapse(user, call).status();
                int h = onHerald(user, call).status();
                if (s != statuses.get(0) || h != statuses.get(1)) {
                    differences.add(call + ": expected Synapse " + statuses.get(0) + " and Herald " + statuses.get(1)
                            + ", got " + s + " and " + h);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        // the one path Synapse does not serve (it wants the trailing slash) and Herald does: GET /pushrules
        assertThat(synapse.call("GET", "/_matrix/client/v3/pushrules", user.token(), null).status()).isEqualTo(404);
        assertThat(SynapseClient.raw("GET", rules.url() + "/v1/users/" + SynapseClient.enc(user.id()) + "/pushrules",
                user.token(), null).status()).isEqualTo(200);
        assertThat(differences).as("calls answered differently").isEmpty();
    }

    private static SynapseClient.Answer onSynapse(SynapseClient.User user, Call call) throws IOException {
        return synapse.call(call.method(), "/_matrix/client/v3/pushrules/" + call.path(), user.token(), call.body());
    }

    private static SynapseClient.Answer onHerald(SynapseClient.User user, Call call) throws IOException {
        return SynapseClient.raw(call.method(), rules.url() + "/v1/users/" + SynapseClient.enc(user.id())
                + "/pushrules/" + call.path(), user.token(), call.body());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Pushes

    @Test
    void theSameEventsMakeTheSamePushes() throws Exception {
        SynapseClient.User alice = synapse.register("adiff" + RUN, "Alice");
        SynapseClient.User bob = synapse.register("bdiff" + RUN, "Bobby");
        SynapseClient.User carol = synapse.register("cdiff" + RUN, "Carol");
        SynapseClient.User dave = synapse.register("ddiff" + RUN, "Dave");
        List<SynapseClient.User> everyone = List.of(alice, bob, carol, dave);
        for (SynapseClient.User u : everyone) {
            // carol's app fetches events itself (what Element does); the others get them in the push
            Map<String, Object> data = u == carol ? Map.of("url", gateway.notifyUrl(), "format", "event_id_only")
                    : Map.of("url", gateway.notifyUrl(), "custom", "x");
            synapse.pusher(u, pusher("syn-" + u.id(), data));
            SynapseClient.Answer h = SynapseClient.raw("POST", rules.url() + "/v1/users/" + SynapseClient.enc(u.id())
                    + "/pushers/set", u.token(), Json.encode(pusher("her-" + u.id(), data)));
            assertThat(h.status()).as(h.text()).isEqualTo(200);
        }
        // the same rules on both: dave mutes everything, carol has a keyword
        for (String[] change : new String[][] {{"global/override/.m.rule.master/enabled", "{\"enabled\":true}", "dave"},
                {"global/content/deploy", "{\"pattern\":\"deploy\",\"actions\":[\"notify\",{\"set_tweak\":\"sound\","
                        + "\"value\":\"chime\"},{\"set_tweak\":\"highlight\"}]}", "carol"}}) {
            SynapseClient.User u = change[2].equals("dave") ? dave : carol;
            Call call = put(change[0], change[1]);
            assertThat(onSynapse(u, call).status()).isEqualTo(200);
            assertThat(onHerald(u, call).status()).isEqualTo(200);
        }

        Feed feed = new Feed(synapse.createRoom(alice, Map.of("preset", "private_chat")));
        for (SynapseClient.User u : List.of(bob, carol, dave)) {
            synapse.invite(alice, feed.room, u.id());
        }
        feed.sync(List.of(bob, carol)); // the invites (dave hears nothing)
        for (SynapseClient.User u : List.of(bob, carol, dave)) {
            synapse.join(u, feed.room);
        }
        String room = feed.room;
        synapse.send(alice, room, "m.room.message", Map.of("msgtype", "m.text", "body", "hello all"));
        String mention = synapse.send(alice, room, "m.room.message", Map.of("msgtype", "m.text", "body", "over to you",
                "m.mentions", Map.of("user_ids", List.of(bob.id()))));
        synapse.send(alice, room, "m.room.message", Map.of("msgtype", "m.text", "body", "Bobby, have a look"));
        synapse.send(alice, room, "m.room.message", Map.of("msgtype", "m.text", "body", "we deploy at noon"));
        synapse.send(alice, room, "m.room.message", Map.of("msgtype", "m.text", "body", "@room lunch",
                "m.mentions", Map.of("room", true)));
        synapse.send(alice, room, "m.room.message", Map.of("msgtype", "m.notice", "body", "a bot says hi"));
        synapse.send(alice, room, "m.room.message", Map.of("msgtype", "m.text", "body", "* over to you, Bobby",
                "m.new_content", Map.of("msgtype", "m.text", "body", "over to you, Bobby"),
                "m.relates_to", Map.of("rel_type", "m.replace", "event_id", mention)));
        synapse.send(alice, room, "m.room.encrypted", Map.of("algorithm", "m.megolm.v1.aes-sha2",
                "ciphertext", "AwgAEnAC", "device_id", "ALICEDEV", "sender_key", "c2VuZGVy", "session_id", "c2Vzc2lvbg"));
        synapse.send(alice, room, "m.call.invite", Map.of("call_id", "c" + RUN, "lifetime", 60000, "version", "1",
                "party_id", "p1", "offer", Map.of("type", "offer", "sdp", "v=0")));
        synapse.send(alice, room, "m.reaction", Map.of("m.relates_to", Map.of("rel_type", "m.annotation",
                "event_id", mention, "key", "👍")));
        synapse.send(bob, room, "m.room.message", Map.of("msgtype", "m.text", "body", "hi Alice"));
        String readByBob = feed.sync(List.of(alice, bob, carol), alice);
        // bob reads everything: his badge drops to 0 (an update); carol reads privately up to the mention: hers stays
        synapse.receipt(bob, room, "m.read", readByBob);
        feed.receipt(readByBob, "m.read", bob);
        synapse.receipt(carol, room, "m.read.private", mention);
        feed.receipt(mention, "m.read.private", carol);
        feed.awaitBadges(bob, 1);
        synapse.state(alice, room, "m.room.name", "", Map.of("name", "Diff room " + RUN));
        synapse.state(bob, room, "m.room.member", bob.id(), Map.of("membership", "join", "displayname", "Robert"));
        synapse.send(bob, room, "m.room.message", Map.of("msgtype", "m.text", "body", "renamed, Robert here"));
        feed.sync(List.of(alice, bob, carol), alice);
        feed.sync(List.of(alice, bob, carol), bob);

        compare(gateway.notifications(), feed.fed);
    }

    private static Map<String, Object> pusher(String pushkey, Map<String, Object> data) {
        return Map.of("kind", "http", "app_id", APP, "pushkey", pushkey, "app_display_name", "Diff",
                "device_display_name", "test", "lang", "en", "data", data);
    }

    /**
     * The room's events as Synapse has them, fed to Herald's herald.events in the same order; and the sync points
     * where both must have pushed everything so far (the badge of a push depends on when it is made).
     */
    private static final class Feed {
        final String room;
        String cursor;
        int fed;

        Feed(String room) {
            this.room = room;
        }

        /** Feeds what Synapse has now. */
        void catchUp() throws IOException {
            SynapseClient.Page page = synapse.events(room, cursor);
            for (JsonNode event : page.events()) {
                KafkaRecords.send(EmbeddedKafka.bootstrapServers(), Topics.EVENTS, room, event.toString());
                fed++;
            }
            cursor = page.end();
        }

        void receipt(String eventId, String type, SynapseClient.User user) throws IOException {
            catchUp();
            KafkaRecords.send(EmbeddedKafka.bootstrapServers(), Topics.EVENTS, room, Json.encode(Map.of("room_id", room,
                    "type", "m.receipt", "content", Map.of(eventId, Map.of(type, Map.of(user.id(), Map.of("ts", 1)))))));
        }

        /** Feeds everything, then waits until both pushed a plain message to each of {@code to} ({@code null}: invites). */
        String sync(List<SynapseClient.User> to, SynapseClient.User sender) throws IOException {
            String fence = synapse.send(sender, room, "m.room.message", Map.of("msgtype", "m.text", "body",
                    "fence " + System.nanoTime()));
            catchUp();
            for (SynapseClient.User u : to) {
                if (!u.equals(sender)) {
                    awaitPush(u, fence);
                }
            }
            return fence;
        }

        void sync(List<SynapseClient.User> invited) throws IOException {
            catchUp();
            await().atMost(WAIT).until(() -> invited.stream().allMatch(u -> pushes("syn-" + u.id(), null).size() >= 1
                    && pushes("her-" + u.id(), null).size() >= 1));
        }

        void awaitPush(SynapseClient.User u, String eventId) {
            await().atMost(WAIT).until(() -> !pushes("syn-" + u.id(), eventId).isEmpty()
                    && !pushes("her-" + u.id(), eventId).isEmpty());
        }

        void awaitBadges(SynapseClient.User u, int count) {
            await().atMost(WAIT).until(() -> badges("syn-" + u.id()) >= count && badges("her-" + u.id()) >= count);
        }
    }

    private static List<JsonObject> pushes(String pushkey, String eventId) {
        return gateway.notifications().stream().filter(n -> pushkey.equals(pushkeyOf(n))
                && (eventId == null || eventId.equals(n.getString("event_id")))).toList();
    }

    private static long badges(String pushkey) {
        return gateway.notifications().stream().filter(n -> pushkey.equals(pushkeyOf(n)) && n.getString("event_id") == null)
                .count();
    }

    private static String pushkeyOf(JsonObject notification) {
        return notification.getJsonArray("devices").getJsonObject(0).getString("pushkey");
    }

    /**
     * Synapse's pushes and Herald's, per user and event (badge updates in order), equal field by field once the
     * documented differences are taken out: Synapse's deprecated {@code id}, {@code pushkey} and {@code pushkey_ts}
     * (each side registered its own pusher), Herald's {@code room_alias} and {@code missed_calls}. Herald's bodies
     * must also be what the Push Gateway API's OpenAPI definition allows.
     */
    private static void compare(List<JsonObject> all, int fed) {
        Map<String, ObjectNode> synapsePushes = new TreeMap<>();
        Map<String, ObjectNode> heraldPushes = new TreeMap<>();
        Map<String, Integer> badgeCount = new HashMap<>();
        List<String> offSpec = new ArrayList<>();
        for (JsonObject n : all) {
            String pushkey = pushkeyOf(n);
            if (!pushkey.startsWith("syn-") && !pushkey.startsWith("her-")) {
                continue;
            }
            boolean fromSynapse = pushkey.startsWith("syn-");
            String user = pushkey.substring(4);
            String event = n.getString("event_id");
            String key = user + " " + (event != null ? event
                    : "badge#" + badgeCount.merge(pushkey, 1, Integer::sum));
            if (!fromSynapse) {
                var report = MatrixSpec.validateRequest(MatrixSpec.PUSH_NOTIFY, Request.Method.POST,
                        "/_matrix/push/v1/notify", Map.of(), new JsonObject().put("notification", n).encode());
                if (!report.getMessages().isEmpty()) {
                    offSpec.add(n.encode() + ": " + report.getMessages());
                }
            }
            ObjectNode normalized = normalize(n);
            (fromSynapse ? synapsePushes : heraldPushes).put(key, normalized);
        }
        assertThat(offSpec).as("Herald's pushes the spec does not allow").isEmpty();
        assertThat(heraldPushes.keySet()).as("who was pushed which event (%d events fed)", fed)
                .containsExactlyElementsOf(synapsePushes.keySet());
        List<String> unequal = new ArrayList<>();
        synapsePushes.forEach((key, s) -> {
            if (!s.equals(heraldPushes.get(key))) {
                unequal.add(key + "\n  Synapse " + s + "\n  Herald  " + heraldPushes.get(key));
            }
        });
        assertThat(unequal).as("pushes that differ").isEmpty();
        assertThat(synapsePushes).as("enough pushes to compare").hasSizeGreaterThan(15);
    }

    private static ObjectNode normalize(JsonObject notification) {
        ObjectNode n;
        try {
            n = (ObjectNode) Json.MAPPER.readTree(notification.encode());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        n.remove("id");
        n.remove("room_alias");
        if (n.path("counts").isObject()) {
            ((ObjectNode) n.get("counts")).remove("missed_calls");
        }
        ArrayNode devices = (ArrayNode) n.get("devices");
        for (JsonNode device : devices) {
            ((ObjectNode) device).remove("pushkey");
            ((ObjectNode) device).remove("pushkey_ts");
        }
        return n;
    }
}

package io.herald.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.Delivery;
import io.herald.common.Json;
import io.herald.common.Topics;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Matrix room events on herald.events: the room's state from its state events (join, leave, rename, power change, a
 * ban, an invite, an out-of-order replay), pushes as Synapse makes them (recipients, names, counts) and read receipts.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class MatrixEventsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String GW = "https://gw.example.org/_matrix/push/v1/notify";
    private static final AtomicLong CLOCK = new AtomicLong(1_700_000_000_000L);

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String room = "!state-" + run + ":example.org";
    private final String alice = "@alice-" + run + ":example.org";
    private final String bob = "@bob-" + run + ":example.org";
    private final String carol = "@carol-" + run + ":example.org";
    private final String erin = "@erin-" + run + ":example.org";

    @Test
    void stateEventsMakeTheRoomAndPushesShowIt() {
        pusher(bob);
        pusher(carol);
        pusher(erin);
        state("m.room.create", "", alice, Map.of("room_version", "11"));
        join(alice, "Alice");
        state("m.room.power_levels", "", alice, Map.of("users", Map.of(alice, 100), "users_default", 0));
        join(bob, null);
        join(carol, "Carol");
        state("m.room.name", "", alice, Map.of("name", "Ops"));
        state("m.room.canonical_alias", "", alice, Map.of("alias", "#ops-" + run + ":example.org"));

        JsonPath state = awaitState(s -> "Ops".equals(s.getString("name")));
        assertThat(state.getString("name")).isEqualTo("Ops");
        assertThat(state.getString("room_version")).isEqualTo("11");
        assertThat(state.getList("creators")).containsExactly(alice);
        assertThat(state.getInt("joined_members")).as(state.prettify()).isEqualTo(3);

        // @room by a moderator: everyone else, highlighted, with the names Synapse would show
        String roomMention = message(alice, Map.of("msgtype", "m.text", "body", "@room deploy",
                "m.mentions", Map.of("room", true)));
        Map<String, Delivery> pushes = awaitPushes(roomMention, 2);
        Delivery toBob = pushes.get(bob);
        assertThat(toBob.tweaks()).containsEntry("highlight", true);
        assertThat(toBob.priority()).isEqualTo("high");
        assertThat(toBob.event().roomId()).isEqualTo(room);
        assertThat(toBob.event().eventId()).isEqualTo(roomMention);
        assertThat(toBob.push().senderDisplayName()).isEqualTo("Alice");
        assertThat(toBob.push().roomName()).isEqualTo("Ops");
        assertThat(toBob.push().roomAlias()).isEqualTo("#ops-" + run + ":example.org");
        assertThat(toBob.push().unread()).isEqualTo(1);
        assertThat(toBob.push().ruleId()).as("the rule that matched, for the delivery log").isEqualTo(".m.rule.is_room_mention");
        assertThat(pushes).containsOnlyKeys(bob, carol); // never the sender

        // power change: alice may no longer notify the room, so the same mention is a plain message now
        state("m.room.power_levels", "", alice, Map.of("users", Map.of(alice, 0, bob, 100), "users_default", 0));
        Delivery plain = awaitPushes(message(alice, Map.of("msgtype", "m.text", "body", "@room again",
                "m.mentions", Map.of("room", true))), 2).get(carol);
        assertThat(plain.push().ruleId()).isEqualTo(".m.rule.message");
        assertThat(plain.tweaks()).doesNotContainKey("highlight");
        assertThat(plain.priority()).isEqualTo("low");
        assertThat(plain.push().unread()).as("still one room with unread notifications").isEqualTo(1);

        // rename
        state("m.room.name", "", alice, Map.of("name", "Operations"));
        assertThat(awaitPushes(message(alice, Map.of("msgtype", "m.text", "body", "renamed")), 2).get(bob)
                .push().roomName()).isEqualTo("Operations");

        // carol leaves; a late, replayed join of hers (older than her leave) does not bring her back
        long joinedAt = CLOCK.get() - 1000;
        member(carol, carol, "leave", null, CLOCK.incrementAndGet());
        member(carol, carol, "join", "Carol", joinedAt);
        // erin is invited: she is told (user_is_target), with the invite in her badge
        String invite = member(erin, alice, "invite", null, CLOCK.incrementAndGet());
        Delivery toErin = awaitPushes(invite, 1).get(erin);
        assertThat(toErin.push().userIsTarget()).isTrue();
        assertThat(toErin.push().unread()).isEqualTo(1);
        assertThat(toErin.event().content()).containsEntry("membership", "invite");
        // a ban of someone who never joined changes nothing for the others
        member("@dave-" + run + ":example.org", alice, "ban", null, CLOCK.incrementAndGet());

        Map<String, Delivery> afterLeave = awaitPushes(message(alice, Map.of("msgtype", "m.text", "body", "who is here")), 1);
        assertThat(afterLeave).containsOnlyKeys(bob);
        state = awaitState(s -> s.getInt("joined_members") == 2);
        assertThat(state.getString("members.find { it.user_id == '" + carol + "' }.membership")).isEqualTo("leave");
        assertThat(state.getString("members.find { it.user_id == '" + erin + "' }.membership")).isEqualTo("invite");
    }

    @Test
    void readReceiptsResetTheCountsAndSendABadgeUpdate() {
        pusher(bob);
        state("m.room.create", "", alice, Map.of("room_version", "12"));
        join(alice, "Alice");
        join(bob, "Bob");
        String first = message(alice, Map.of("msgtype", "m.text", "body", "one"));
        awaitPushes(first, 1);
        String mention = message(alice, Map.of("msgtype", "m.text", "body", "two",
                "m.mentions", Map.of("user_ids", List.of(bob))));
        assertThat(awaitPushes(mention, 1).get(bob).push().unread()).isEqualTo(1);

        // two-person room: .m.rule.room_one_to_one would apply, but the mention wins; both are listed, newest first
        JsonPath listed = Auth.admin().get("/v1/users/" + bob + "/notifications").then().statusCode(200)
                .extract().jsonPath();
        assertThat(listed.getList("notifications.event.event_id")).startsWith(mention, first);
        assertThat(listed.getList("notifications.read", Boolean.class)).startsWith(false, false);
        assertThat(listed.getString("notifications[0].room_id")).isEqualTo(room);
        assertThat(listed.getMap("notifications[0].event")).doesNotContainKey("room_id");
        JsonPath highlights = Auth.admin().get("/v1/users/" + bob + "/notifications?only=highlight&limit=1")
                .then().statusCode(200).extract().jsonPath();
        assertThat(highlights.getList("notifications.event.event_id")).containsExactly(mention);
        JsonPath older = Auth.admin().get("/v1/users/" + bob + "/notifications?from="
                + highlights.getString("next_token")).then().statusCode(200).extract().jsonPath();
        assertThat(older.getList("notifications.event.event_id")).doesNotContain(mention).contains(first);

        // bob reads the first: one notification is left (his badge stays 1, no update); then the second: 0
        receipt(first, bob, "m.read");
        receipt(mention, bob, "m.read.private");
        List<Delivery> badges = awaitBadges(bob, 1);
        assertThat(badges).hasSize(1);
        assertThat(badges.get(0).push().badge()).isTrue();
        assertThat(badges.get(0).push().unread()).isZero();
        assertThat(Auth.admin().get("/v1/users/" + bob + "/notifications").then().extract().jsonPath()
                .getList("notifications.read", Boolean.class)).startsWith(true, true);
        assertThat(awaitPushes(message(alice, Map.of("msgtype", "m.text", "body", "three")), 1).get(bob)
                .push().unread()).isEqualTo(1);
    }

    @Test
    void aRecordThatIsNoMatrixEventIsDeadLetteredAndTheRestGoesOn() {
        pusher(bob);
        join(alice, null);
        join(bob, null);
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.EVENTS, room, Json.encode(Map.of(
                "room_id", room, "type", "m.room.message", "sender", alice, "content", Map.of("body", "no id"))));
        ConsumerRecord<String, String> dead = KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.NOTIFICATIONS_DLQ,
                r -> r.value() != null && r.value().contains(room), 1, WAIT).get(0);
        assertThat(KafkaRecords.header(dead, "dead-letter-reason")).contains("'event_id' is required");
        assertThat(KafkaRecords.header(dead, "dead-letter-topic")).isEqualTo(Topics.EVENTS);
        awaitPushes(message(alice, Map.of("msgtype", "m.text", "body", "after")), 1);
    }

    // ---- helpers

    private void pusher(String user) {
        Auth.admin().contentType("application/json").body(PusherResourceTest.pusher("com.example.app",
                "key-" + user, GW, "")).post("/v1/users/" + user + "/pushers/set").then().statusCode(200);
    }

    private void join(String user, String displayName) {
        member(user, user, "join", displayName, CLOCK.incrementAndGet());
    }

    private String member(String target, String sender, String membership, String displayName, long ts) {
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("membership", membership);
        if (displayName != null) {
            content.put("displayname", displayName);
        }
        return event("m.room.member", target, sender, content, ts);
    }

    private String state(String type, String stateKey, String sender, Map<String, Object> content) {
        return event(type, stateKey, sender, content, CLOCK.incrementAndGet());
    }

    private String message(String sender, Map<String, Object> content) {
        return event("m.room.message", null, sender, content, CLOCK.incrementAndGet());
    }

    private String event(String type, String stateKey, String sender, Map<String, Object> content, long ts) {
        String id = "$" + UUID.randomUUID();
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event_id", id);
        event.put("room_id", room);
        event.put("type", type);
        event.put("sender", sender);
        event.put("origin_server_ts", ts);
        event.put("content", content);
        if (stateKey != null) {
            event.put("state_key", stateKey);
        }
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.EVENTS, room, Json.encode(event));
        return id;
    }

    private void receipt(String eventId, String user, String type) {
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.EVENTS, room, Json.encode(Map.of("room_id", room,
                "type", "m.receipt", "content", Map.of(eventId, Map.of(type, Map.of(user, Map.of("ts", 1)))))));
    }

    /** The pushes of an event, by the pushkey's user (each test user has one pusher, key-<user>). */
    private Map<String, Delivery> awaitPushes(String eventId, int count) {
        Map<String, Delivery> out = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> r : KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.DELIVERIES,
                r -> r.value() != null && r.value().contains("\"notification_id\":\"" + eventId + "\""), count, WAIT)) {
            Delivery d = Json.decodeDelivery(r.value());
            out.put(d.destination().pusher().pushkey().substring("key-".length()), d);
        }
        return out;
    }

    private JsonPath awaitState(java.util.function.Predicate<JsonPath> done) {
        return org.awaitility.Awaitility.await().atMost(WAIT).until(() -> {
            var r = Auth.admin().get("/v1/matrix-rooms/" + room);
            return r.statusCode() == 200 ? r.jsonPath() : null;
        }, s -> s != null && done.test(s));
    }

    private List<Delivery> awaitBadges(String user, int count) {
        return KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.DELIVERIES,
                r -> r.value() != null && r.value().contains("\"badge\":true") && r.value().contains("key-" + user),
                count, WAIT).stream().map(r -> Json.decodeDelivery(r.value())).toList();
    }
}

package io.herald.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import io.herald.common.Delivery;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.NotificationEvent;
import io.herald.common.RecordHeaders;
import io.herald.common.RejectedPusher;
import io.herald.common.Topics;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class FanOutTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String GW = "https://gw.example.org/_matrix/push/v1/notify";
    private static final String SENDER = "@herald:localhost";

    @Test
    void membersWhoseRulesNotifyGetOneDeliveryPerPusherAndTheRoomStillGetsItsOwn() {
        linkRoom("fan", "!fan:example.org");
        member("fan", SENDER);
        member("fan", "@f-alice:example.org");
        member("fan", "@f-bob:example.org");
        pusher(SENDER, "sender-key", GW);
        pusher("@f-alice:example.org", "alice-phone", GW);
        pusher("@f-alice:example.org", "alice-tablet", "https://gw2.example.org/_matrix/push/v1/notify");
        pusher("@f-bob:example.org", "bob-phone", GW);
        // Bob: a user override that matches this room and does not notify
        Auth.admin().contentType("application/json").body("{\"actions\":[\"dont_notify\"],\"conditions\":"
                + "[{\"kind\":\"event_match\",\"key\":\"room_id\",\"pattern\":\"!fan:example.org\"}]}")
                .put("/v1/users/@f-bob:example.org/pushrules/global/override/mute-fan").then().statusCode(200);

        NotificationEvent mention = notification("fan", Map.of("msgtype", "m.text", "body", "disk full, Alice?",
                "m.mentions", Map.of("user_ids", List.of("@f-alice:example.org"))));
        NotificationEvent plain = notification("fan", Map.of("msgtype", "m.text", "body", "all good again"));
        // the mention as ingest publishes it: with the id of the API key that accepted it
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.NOTIFICATIONS, mention.room(),
                Json.encode(mention).getBytes(StandardCharsets.UTF_8),
                new RecordHeader(RecordHeaders.API_KEY, "key_fanout".getBytes(StandardCharsets.UTF_8)));
        produce(plain);

        // the plain one comes after the mention on the same partition, so once its deliveries are there, all of the
        // mention's deliveries are too
        Map<String, ConsumerRecord<String, String>> plainDeliveries = byKey(awaitDeliveries(plain.id(), 3));
        Map<String, ConsumerRecord<String, String>> mentionDeliveries = byKey(KafkaRecords.readAll(
                KafkaRecords.bootstrapServers(), Topics.DELIVERIES, r -> r.value().contains(mention.id())));

        String alicePhone = "push:com.example.app:alice-phone@" + GW;
        String aliceTablet = "push:com.example.app:alice-tablet@https://gw2.example.org/_matrix/push/v1/notify";
        assertThat(mentionDeliveries).containsOnlyKeys("room:bot:!fan:example.org", alicePhone, aliceTablet);
        assertThat(plainDeliveries).containsOnlyKeys("room:bot:!fan:example.org", alicePhone, aliceTablet);

        Delivery phone = Json.decodeDelivery(mentionDeliveries.get(alicePhone).value());
        assertThat(phone.id()).isEqualTo(Delivery.idFor(mention.id(), phone.destination()));
        assertThat(phone.tweaks()).isEqualTo(Map.of("sound", "default", "highlight", true));
        assertThat(phone.priority()).isEqualTo("high");
        assertThat(phone.destination().pusher().url()).isEqualTo(GW);
        assertThat(phone.destination().pusher().appId()).isEqualTo("com.example.app");
        assertThat(phone.destination().pusher().pushkey()).isEqualTo("alice-phone");
        assertThat(phone.destination().pusher().format()).isEqualTo("event_id_only");
        assertThat(phone.destination().pusher().data()).isEqualTo(Map.of("format", "event_id_only", "custom", 7));
        assertThat(phone.event().content()).isEqualTo(mention.event().content());

        Delivery plainPhone = Json.decodeDelivery(plainDeliveries.get(alicePhone).value());
        assertThat(plainPhone.tweaks()).isEmpty();
        assertThat(plainPhone.priority()).isEqualTo("low");
        assertThat(plainPhone.id()).isNotEqualTo(phone.id());

        // who accepted it travels into every delivery; a record without the header (a direct producer) has none
        assertThat(mentionDeliveries.values()).allSatisfy(r -> assertThat(Json.decodeDelivery(r.value()).acceptedBy())
                .isEqualTo("key_fanout"));
        assertThat(plainDeliveries.values()).allSatisfy(r -> assertThat(Json.decodeDelivery(r.value()).acceptedBy())
                .isNull());

        // what the push rules decided is kept per notification: Alice notified by the mention rule, Bob muted by
        // his own override, the sender not evaluated
        Auth.admin().get("/v1/notifications/" + mention.id() + "/evaluation").then().statusCode(200)
                .body("room", is("fan"))
                .body("member_count", is(2))
                .body("notified_count", is(1))
                .body("members.user_id", contains("@f-alice:example.org", "@f-bob:example.org"))
                .body("members.notify", contains(true, false))
                .body("members.rule_id", contains(".m.rule.is_user_mention", "mute-fan"))
                .body("members.kind", contains("override", "override"))
                .body("members[0].tweaks.highlight", is(true))
                .body("members[1].actions", org.hamcrest.Matchers.empty()); // dont_notify: no actions (the spec's legacy form)
        Auth.admin().get("/v1/notifications/" + UUID.randomUUID() + "/evaluation").then().statusCode(404)
                .body("detail", containsString("no evaluation"));
    }

    @Test
    void aRejectedPushkeyRemovesItsPushersAndTheyGetNoMoreDeliveries() {
        linkRoom("rej", "!rej:example.org");
        member("rej", "@r-dave:example.org");
        member("rej", "@r-erin:example.org");
        pusher("@r-dave:example.org", "dave-old", GW);
        pusher("@r-dave:example.org", "dave-new", GW);
        Auth.admin().contentType("application/json")
                .body(PusherResourceTest.pusher("com.example.app", "dave-old", GW, ",\"append\":true"))
                .post("/v1/users/@r-erin:example.org/pushers/set").then().statusCode(200);
        NotificationEvent before = notification("rej", Map.of("msgtype", "m.text", "body", "one"));
        produce(before);
        assertThat(byKey(awaitDeliveries(before.id(), 3)).keySet())
                .as("dave-old is one destination for both users").hasSize(3);

        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.PUSHERS_REJECTED, "dave-old",
                Json.encode(new RejectedPusher("com.example.app", "dave-old", GW, "some-delivery")));
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.PUSHERS_REJECTED, "junk", "not json");

        Awaitility.await().atMost(WAIT).untilAsserted(() -> {
            assertThat(PusherResourceTest.pushkeys("@r-dave:example.org")).containsExactly("dave-new");
            assertThat(PusherResourceTest.pushkeys("@r-erin:example.org")).isEmpty();
        });

        NotificationEvent after = notification("rej", Map.of("msgtype", "m.text", "body", "two"));
        NotificationEvent fence = notification("rej", Map.of("msgtype", "m.text", "body", "three"));
        produce(after);
        produce(fence);
        awaitDeliveries(fence.id(), 2);
        assertThat(byKey(KafkaRecords.readAll(KafkaRecords.bootstrapServers(), Topics.DELIVERIES,
                r -> r.value().contains(after.id()))).keySet())
                .containsExactlyInAnyOrder("room:bot:!rej:example.org", "push:com.example.app:dave-new@" + GW);
    }

    private static void linkRoom(String room, String matrixRoomId) {
        Auth.admin().contentType("application/json").body("{\"matrix_room_id\":\"" + matrixRoomId + "\",\"account\":\"bot\"}")
                .put("/v1/rooms/" + room).then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    private static void member(String room, String userId) {
        Auth.admin().contentType("application/json").body("{}").put("/v1/rooms/" + room + "/members/" + userId)
                .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    private static void pusher(String userId, String pushkey, String url) {
        Auth.admin().contentType("application/json").body(PusherResourceTest.pusher("com.example.app", pushkey, url, ""))
                .post("/v1/users/" + userId + "/pushers/set").then().statusCode(200);
    }

    private static NotificationEvent notification(String room, Map<String, Object> content) {
        return new NotificationEvent(UUID.randomUUID().toString(), room, MatrixEvent.message(SENDER, content),
                Instant.now(), "test");
    }

    private static void produce(NotificationEvent notification) {
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.NOTIFICATIONS, notification.room(),
                Json.encode(notification));
    }

    private static List<ConsumerRecord<String, String>> awaitDeliveries(String notificationId, int count) {
        return KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.DELIVERIES,
                r -> r.value().contains(notificationId), count, WAIT);
    }

    private static Map<String, ConsumerRecord<String, String>> byKey(List<ConsumerRecord<String, String>> records) {
        assertThat(records.stream().map(ConsumerRecord::key).distinct().count()).as("one delivery per destination")
                .isEqualTo(records.size());
        return records.stream().collect(Collectors.toMap(ConsumerRecord::key, Function.identity()));
    }
}

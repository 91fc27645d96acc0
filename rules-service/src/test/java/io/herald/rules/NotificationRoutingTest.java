package io.herald.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.Delivery;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.MessageRenderer;
import io.herald.common.NotificationEvent;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class NotificationRoutingTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aNotificationForALinkedRoomBecomesOneDeliveryKeyedByDestination() {
        linkRoom("ops", "!ops:example.org", "bot");
        NotificationEvent notification = notification("ops", "disk full");

        produce(notification);

        List<ConsumerRecord<String, String>> records = awaitDeliveries(notification.id(), 1);
        Delivery delivery = Json.decodeDelivery(records.get(0).value());
        assertThat(records.get(0).key()).isEqualTo("room:bot:!ops:example.org");
        assertThat(delivery.notificationId()).isEqualTo(notification.id());
        assertThat(delivery.destination().matrixRoom().roomId()).isEqualTo("!ops:example.org");
        assertThat(delivery.destination().matrixRoom().account()).isEqualTo("bot");
        assertThat(delivery.id()).isEqualTo(Delivery.idFor(notification.id(), delivery.destination()));
        assertThat(delivery.event().content()).isEqualTo(notification.event().content());
        assertThat(delivery.deadline()).isAfter(Instant.now().plus(Duration.ofHours(23)));
        assertThat(records.get(0).value()).doesNotContain("token");
    }

    @Test
    void theSameNotificationTwiceGivesTheSameDeliveryId() {
        linkRoom("twice", "!twice:example.org", "bot");
        NotificationEvent notification = notification("twice", "again");

        produce(notification);
        produce(notification);

        List<ConsumerRecord<String, String>> records = awaitDeliveries(notification.id(), 2);
        assertThat(records).extracting(r -> Json.decodeDelivery(r.value()).id()).containsOnly(
                Json.decodeDelivery(records.get(0).value()).id());
    }

    @Test
    void poisonRecordsAreDeadLetteredWithAReasonAndThePartitionKeepsFlowing() {
        linkRoom("poison", "!poison:example.org", "bot");
        String bootstrap = KafkaRecords.bootstrapServers();
        String marker = UUID.randomUUID().toString();
        KafkaRecords.send(bootstrap, Topics.NOTIFICATIONS, "poison", ("\u0000\u00ff garbage " + marker).getBytes(StandardCharsets.ISO_8859_1));
        KafkaRecords.send(bootstrap, Topics.NOTIFICATIONS, "poison", "{\"id\":\"" + marker + "-wrong\",\"room\":\"poison\"}");
        NotificationEvent unknown = notification("no-such-room-" + marker, "lost?");
        KafkaRecords.send(bootstrap, Topics.NOTIFICATIONS, "poison", Json.encode(unknown));
        NotificationEvent good = notification("poison", "after the poison");
        produce(good);

        awaitDeliveries(good.id(), 1);
        List<ConsumerRecord<String, String>> dead = KafkaRecords.await(bootstrap, Topics.NOTIFICATIONS_DLQ,
                r -> r.value() != null && r.value().contains(marker), 3, WAIT);
        assertThat(dead).extracting(r -> KafkaRecords.header(r, "dead-letter-reason"))
                .anySatisfy(reason -> assertThat(reason).contains("not a valid NotificationEvent"))
                .anySatisfy(reason -> assertThat(reason).contains("'event' is required"))
                .anySatisfy(reason -> assertThat(reason).contains("unknown room 'no-such-room-" + marker + "'"));
    }

    @Test
    void recordsBreakingTheContractLimitsAreDeadLetteredNamingTheFieldAndTheRecordsBehindThemFlow() {
        // What a Kafka-native producer could write that the delivery log or a homeserver cannot take: dead-lettered
        // here, with the field in the reason, instead of reaching the dispatcher.
        linkRoom("limits", "!limits:example.org", "bot");
        String bootstrap = KafkaRecords.bootstrapServers();
        String marker = UUID.randomUUID().toString();
        MatrixEvent fine = MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", marker));
        List<NotificationEvent> bad = List.of(
                new NotificationEvent(marker + "-" + "x".repeat(300), "limits", fine, Instant.now(), "test"),
                new NotificationEvent(marker + "-nul\0id", "limits", fine, Instant.now(), "test"),
                new NotificationEvent(marker + "-big", "limits", MatrixEvent.message("@herald:localhost",
                        Map.of("msgtype", "m.text", "body", marker + "x".repeat(70_000))), Instant.now(), "test"),
                new NotificationEvent(marker + "-type", "limits", new MatrixEvent("t".repeat(256), "@herald:localhost",
                        Map.of("body", marker), null, null), Instant.now(), "test"),
                new NotificationEvent(marker + "-sender", "limits", MatrixEvent.message("@" + "s".repeat(300)
                        + ":example.org", Map.of("body", marker)), Instant.now(), "test"));
        for (NotificationEvent n : bad) {
            KafkaRecords.send(bootstrap, Topics.NOTIFICATIONS, "poison", Json.encode(n));
        }
        NotificationEvent good = notification("limits", "after the oversized ones");
        produce(good);

        awaitDeliveries(good.id(), 1);
        List<String> reasons = KafkaRecords.await(bootstrap, Topics.NOTIFICATIONS_DLQ,
                r -> r.value() != null && r.value().contains(marker), bad.size(), WAIT).stream()
                .map(r -> KafkaRecords.header(r, "dead-letter-reason")).toList();
        assertThat(reasons).hasSize(bad.size())
                .anySatisfy(r -> assertThat(r).startsWith("'id' must be at most 255 characters"))
                .anySatisfy(r -> assertThat(r).startsWith("'id' must not contain control characters (U+0000"))
                .anySatisfy(r -> assertThat(r).startsWith("'event' must be at most 65536 bytes"))
                .anySatisfy(r -> assertThat(r).startsWith("'event.type' must be at most 255 bytes"))
                .anySatisfy(r -> assertThat(r).startsWith("'event.sender' must be a Matrix user id"));
        assertThat(KafkaRecords.readAll(bootstrap, Topics.DELIVERIES, r -> r.value().contains(marker))).isEmpty();
    }

    @Test
    void aRoomWithoutAMatrixLinkMakesNoDelivery() {
        Auth.admin().contentType("application/json").body("{}").put("/v1/rooms/unlinked").then().statusCode(201);
        linkRoom("fence", "!fence:example.org", "bot");
        NotificationEvent unlinked = notification("unlinked", "nowhere to go");
        NotificationEvent fence = notification("fence", "after");

        produce(unlinked);
        produce(fence);

        awaitDeliveries(fence.id(), 1);
        assertThat(KafkaRecords.readAll(KafkaRecords.bootstrapServers(), Topics.DELIVERIES,
                r -> r.value().contains(unlinked.id()))).isEmpty();
        assertThat(KafkaRecords.readAll(KafkaRecords.bootstrapServers(), Topics.NOTIFICATIONS_DLQ,
                r -> r.value() != null && r.value().contains(unlinked.id()))).isEmpty();
    }

    @Test
    void relinkingARoomTakesEffectForTheNextNotification() {
        // The planner plans from a cache of rooms: a change through the API must not leave it planning the old link.
        linkRoom("moving", "!old:example.org", "bot");
        NotificationEvent before = notification("moving", "to the old room");
        produce(before);
        assertThat(Json.decodeDelivery(awaitDeliveries(before.id(), 1).get(0).value()).destination().matrixRoom()
                .roomId()).isEqualTo("!old:example.org");

        linkRoom("moving", "!new:example.org", "bot2");
        NotificationEvent after = notification("moving", "to the new room");
        produce(after);

        Delivery delivery = Json.decodeDelivery(awaitDeliveries(after.id(), 1).get(0).value());
        assertThat(delivery.destination().matrixRoom().roomId()).isEqualTo("!new:example.org");
        assertThat(delivery.destination().matrixRoom().account()).isEqualTo("bot2");

        Auth.admin().delete("/v1/rooms/moving").then().statusCode(204);
        NotificationEvent gone = notification("moving", "nowhere");
        produce(gone);
        assertThat(KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.NOTIFICATIONS_DLQ,
                r -> r.value() != null && r.value().contains(gone.id()), 1, WAIT))
                .extracting(r -> KafkaRecords.header(r, "dead-letter-reason")).first().asString()
                .contains("unknown room 'moving'");
    }

    @Test
    void aNotificationPostsAsTheAccountItAsksForOnlyWhenTheRoomListsIt() {
        Auth.admin().contentType("application/json").body("{\"matrix_room_id\":\"!src:example.org\",\"account\":"
                + "\"bot\",\"source_accounts\":[\"nas-bot\"]}").put("/v1/rooms/sources").then()
                .statusCode(org.hamcrest.Matchers.oneOf(200, 201))
                .body("source_accounts", org.hamcrest.Matchers.contains("nas-bot"));
        NotificationEvent plain = notification("sources", "as the room");
        NotificationEvent listed = as(notification("sources", "as nas-bot"), "nas-bot");
        NotificationEvent unlisted = as(notification("sources", "as a stranger"), "stranger");
        produce(plain);
        produce(listed);
        produce(unlisted);
        assertThat(Json.decodeDelivery(awaitDeliveries(plain.id(), 1).get(0).value()).destination().matrixRoom()
                .account()).isEqualTo("bot");
        assertThat(Json.decodeDelivery(awaitDeliveries(listed.id(), 1).get(0).value()).destination().matrixRoom()
                .account()).isEqualTo("nas-bot");
        assertThat(Json.decodeDelivery(awaitDeliveries(unlisted.id(), 1).get(0).value()).destination().matrixRoom()
                .account()).isEqualTo("bot");
    }

    private static NotificationEvent as(NotificationEvent n, String account) {
        return new NotificationEvent(n.id(), n.room(), n.event(), n.receivedAt(), n.source(), "high", account);
    }

    @Test
    void aNotificationsPriorityDecidesItsPushesPrio() {
        var result = io.herald.pushrules.EvaluationResult.NO_MATCH; // the rules alone would say low
        assertThat(io.herald.rules.routing.DeliveryPlanner.pushPriority("urgent", result, "m.room.message")).isEqualTo("high");
        assertThat(io.herald.rules.routing.DeliveryPlanner.pushPriority("high", result, "m.room.message")).isEqualTo("high");
        assertThat(io.herald.rules.routing.DeliveryPlanner.pushPriority("min", result, "m.room.message")).isEqualTo("low");
        assertThat(io.herald.rules.routing.DeliveryPlanner.pushPriority(null, result, "m.room.message")).isEqualTo("low");
    }

    private static void linkRoom(String room, String matrixRoomId, String account) {
        Auth.admin().contentType("application/json")
                .body("{\"matrix_room_id\":\"" + matrixRoomId + "\",\"account\":\"" + account + "\"}")
                .put("/v1/rooms/" + room).then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    private static NotificationEvent notification(String room, String body) {
        return new NotificationEvent(UUID.randomUUID().toString(), room,
                MatrixEvent.message("@herald:localhost", MessageRenderer.render("Test", body, null, false)),
                Instant.now(), "test");
    }

    private static void produce(NotificationEvent notification) {
        // Same key as the poison records: one partition, so "later" really means later.
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.NOTIFICATIONS, "poison", Json.encode(notification));
    }

    private static List<ConsumerRecord<String, String>> awaitDeliveries(String notificationId, int count) {
        return KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.DELIVERIES,
                r -> r.value().contains(notificationId), count, WAIT);
    }
}

package io.herald.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.NotificationEvent;
import io.herald.testsupport.EmbeddedKafka;
import io.herald.testsupport.EmbeddedPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The rules-service is killed with {@code kill -9} mid-stream and started again 5 s later. Notifications it had
 * planned but not committed are planned again, with the same delivery ids, so the homeserver sees each txnId again
 * and keeps one event per notification: nothing lost, nothing doubled.
 */
class RulesCrashTest {

    private static final int NOTIFICATIONS = 2000;

    @Test
    void aKilledRulesServiceLosesNothingAndDoublesNothing() throws Exception {
        String kafka = EmbeddedKafka.bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String notificationsTopic = "herald.notifications.crash-" + run;
        ScaleOutTest.createTopic(kafka, notificationsTopic, 4);
        Map<String, String> common = Map.of(
                "kafka.bootstrap.servers", kafka,
                "quarkus.datasource.jdbc.url", EmbeddedPostgres.jdbcUrl(),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres");
        Map<String, String> rulesConfig = new HashMap<>(common);
        rulesConfig.put("mp.messaging.incoming.notifications.topic", notificationsTopic);
        rulesConfig.put("mp.messaging.incoming.notifications.group.id", "rules-crash-" + run);
        Map<String, String> dispatcherConfig = new HashMap<>(common);
        dispatcherConfig.put("herald.secrets.key", "cnVsZXMtY3Jhc2gta2V5LTMyLWJ5dGVzLWxvbmctLS0=");
        dispatcherConfig.put("herald.dispatcher.account.rate-per-second", "100000");
        dispatcherConfig.put("herald.dispatcher.account.burst", "100000");
        dispatcherConfig.put("mp.messaging.incoming.deliveries.group.id", "dispatcher-crash-" + run);
        dispatcherConfig.put("mp.messaging.incoming.deliveries-retry.group.id", "dispatcher-crash-retry-" + run);

        try (FakeHomeserver homeserver = new FakeHomeserver();
                ServiceProcess dispatcher = ServiceProcess.start("dispatcher-service", "dispatcher-crash", dispatcherConfig)) {
            String account = "crash-" + run;
            String roomKey = "crash-" + run;
            String roomId = "!crash-" + run + ":example.org";
            given().contentType("application/json").body("{\"id\":\"" + account + "\",\"homeserver\":\"" + homeserver.url()
                    + "\",\"access_token\":\"t\"}").post(dispatcher.url() + "/v1/matrix-accounts").then().statusCode(201);

            Set<String> expected = IntStream.range(0, NOTIFICATIONS).mapToObj(i -> UUID.randomUUID().toString())
                    .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
            Destination destination = Destination.room(account, roomId);
            try (ServiceProcess rules = ServiceProcess.start("rules-service", "rules-crash-a", rulesConfig)) {
                given().contentType("application/json")
                        .body("{\"matrix_room_id\":\"" + roomId + "\",\"account\":\"" + account + "\"}")
                        .put(rules.url() + "/v1/rooms/" + roomKey).then().statusCode(201);

                try (KafkaProducer<String, String> producer = ScaleOutTest.producer(kafka)) {
                    int i = 0;
                    for (String id : expected) {
                        // Keys spread the notifications over the partitions, so the crash hits several of them.
                        NotificationEvent n = new NotificationEvent(id, roomKey, MatrixEvent.message("@herald:localhost",
                                Map.of("msgtype", "m.text", "body", "notification " + i)), Instant.now(), "crash-test");
                        producer.send(new ProducerRecord<>(notificationsTopic, roomKey + "-" + (i++ % 8), Json.encode(n)));
                    }
                }
                await().atMost(Duration.ofSeconds(120)).until(() -> homeserver.events() >= NOTIFICATIONS / 4);
                rules.kill();
            }
            int atKill = homeserver.events();
            Thread.sleep(5000); // the outage the scenario asks for, not a wait for a condition
            try (ServiceProcess restarted = ServiceProcess.start("rules-service", "rules-crash-b", rulesConfig)) {
                Instant restartedAt = Instant.now();
                await().atMost(Duration.ofSeconds(180)).until(() -> homeserver.events() >= NOTIFICATIONS);

                Set<String> expectedTxnIds = expected.stream()
                        .map(id -> "herald-" + Delivery.idFor(id, destination)).collect(Collectors.toSet());
                Set<String> arrived = homeserver.eventsByTxn().values().stream()
                        .filter(e -> e.roomId().equals(roomId)).map(FakeHomeserver.Event::txnId).collect(Collectors.toSet());
                assertThat(arrived).isEqualTo(expectedTxnIds);
                System.out.printf("rules crash: %d notifications, rules-service killed at %d events and restarted "
                        + "after 5 s; %d delivered exactly once (%d requests), drained %d ms after the restart%n",
                        NOTIFICATIONS, atKill, arrived.size(), homeserver.requests(),
                        Duration.between(restartedAt, Instant.now()).toMillis());
            }
        }
    }
}

package io.herald.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.testsupport.EmbeddedKafka;
import io.herald.testsupport.EmbeddedPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The homeserver is down (connection refused) while deliveries arrive, then comes back: the dispatcher parks every
 * destination in the retry topic, later deliveries follow them there, and once the homeserver answers again
 * everything arrives, once, in order per room, with nothing dead-lettered.
 */
class HomeserverOutageTest {

    private static final int DELIVERIES = 300;
    private static final int ROOMS = 10;

    @Test
    void everythingArrivesInOrderAfterTheHomeserverComesBack() throws Exception {
        String kafka = EmbeddedKafka.bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "herald.deliveries.outage-" + run;
        ScaleOutTest.createTopic(kafka, topic, 4);
        int homeserverPort = ServiceProcess.freePort(); // nothing listens there yet: connection refused
        Map<String, String> config = new HashMap<>(Map.of(
                "kafka.bootstrap.servers", kafka,
                "quarkus.datasource.jdbc.url", EmbeddedPostgres.jdbcUrl(),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres",
                "herald.secrets.key", "b3V0YWdlLXRlc3Qta2V5LTMyLWJ5dGVzLWxvbmctLS0=",
                "herald.dispatcher.backoff.initial", "200ms",
                "herald.dispatcher.backoff.max", "2s",
                "herald.dispatcher.account.rate-per-second", "100000",
                "herald.dispatcher.account.burst", "100000",
                "mp.messaging.incoming.deliveries.topic", topic));
        config.put("mp.messaging.incoming.deliveries.group.id", "outage-" + run);
        config.put("mp.messaging.incoming.deliveries-retry.topic", "herald.deliveries.retry.outage-" + run);
        config.put("mp.messaging.outgoing.deliveries-retry-out.topic", "herald.deliveries.retry.outage-" + run);
        config.put("mp.messaging.incoming.deliveries-retry.group.id", "outage-retry-" + run);

        try (ServiceProcess dispatcher = ServiceProcess.start("dispatcher-service", "dispatcher-outage", config)) {
            String account = "outage-" + run;
            given().contentType("application/json").body("{\"id\":\"" + account + "\",\"homeserver\":\"http://127.0.0.1:"
                    + homeserverPort + "\",\"access_token\":\"t\"}").post(dispatcher.url() + "/v1/matrix-accounts")
                    .then().statusCode(201);
            List<Delivery> deliveries = new ArrayList<>();
            try (KafkaProducer<String, String> producer = ScaleOutTest.producer(kafka)) {
                for (int i = 0; i < DELIVERIES; i++) {
                    Destination destination = Destination.room(account, "!outage" + (i % ROOMS) + ":example.org");
                    String id = UUID.randomUUID().toString();
                    Delivery d = new Delivery(Delivery.idFor(id, destination), id, "outage", destination,
                            MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", "n" + i)),
                            Map.of(), "high", 0, Instant.now().plus(Duration.ofHours(1)), Instant.now());
                    deliveries.add(d);
                    producer.send(new ProducerRecord<>(topic, destination.key(), Json.encode(d)));
                }
            }
            // Every room fails its quick tries and is parked before the homeserver comes back.
            await().atMost(Duration.ofSeconds(90)).until(() -> given().get(dispatcher.url() + "/q/metrics").asString()
                    .lines().filter(l -> l.startsWith("herald_deliveries_parked_total"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum() >= DELIVERIES);
            Instant outageEnded = Instant.now();

            try (FakeHomeserver homeserver = new FakeHomeserver(homeserverPort)) {
                await().atMost(Duration.ofSeconds(120)).until(() -> homeserver.events() >= DELIVERIES);

                assertThat(homeserver.events()).isEqualTo(DELIVERIES);
                for (int room = 0; room < ROOMS; room++) {
                    String roomId = "!outage" + room + ":example.org";
                    List<String> arrived = homeserver.eventsByTxn().values().stream()
                            .filter(e -> e.roomId().equals(roomId))
                            .sorted(Comparator.comparingLong(FakeHomeserver.Event::receivedNanos))
                            .map(FakeHomeserver.Event::txnId).toList();
                    List<String> sent = deliveries.stream()
                            .filter(d -> d.destination().matrixRoom().roomId().equals(roomId))
                            .map(Delivery::txnId).toList();
                    assertThat(arrived).as("order in " + roomId).isEqualTo(sent);
                }
                given().get(dispatcher.url() + "/v1/dead-letters?room=outage").then().statusCode(200)
                        .body("total", org.hamcrest.Matchers.equalTo(0));
                System.out.printf("outage: %d deliveries to %d rooms parked while the homeserver was down; all "
                        + "arrived in order %d ms after it came back (%d requests)%n", DELIVERIES, ROOMS,
                        Duration.between(outageEnded, Instant.now()).toMillis(), homeserver.requests());
            }
        }
    }
}

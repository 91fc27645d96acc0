package io.herald.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.Topics;
import io.herald.testsupport.EmbeddedKafka;
import io.herald.testsupport.EmbeddedPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Two dispatchers in one consumer group share the partitions; one is killed with {@code kill -9} mid-stream. Every
 * delivery still arrives, and each as exactly one event in its room: redeliveries carry the same txnId, which the
 * homeserver deduplicates.
 */
class ScaleOutTest {

    private static final int DELIVERIES = 2000;
    private static final int ROOMS = 40;

    @Test
    void aKilledDispatcherLosesNothingAndPostsNothingTwice() throws Exception {
        String kafka = EmbeddedKafka.bootstrapServers();
        String groupSuffix = UUID.randomUUID().toString().substring(0, 8);
        try (FakeHomeserver homeserver = new FakeHomeserver()) {
            Map<String, String> config = new HashMap<>(Map.of(
                    "kafka.bootstrap.servers", kafka,
                    "quarkus.datasource.jdbc.url", EmbeddedPostgres.jdbcUrl(),
                    "quarkus.datasource.username", "postgres",
                    "quarkus.datasource.password", "postgres",
                    "herald.secrets.key", "c2NhbGUtb3V0LXRlc3Qta2V5LTMyLWJ5dGVzLWxvbmc=",
                    "herald.dispatcher.account.rate-per-second", "100000",
                    "herald.dispatcher.account.burst", "100000"));
            // Own topic and groups, so other tests' records do not count; quick failover for the test.
            String topic = "herald.deliveries.scale-" + groupSuffix;
            config.put("mp.messaging.incoming.deliveries.topic", topic);
            config.put("mp.messaging.incoming.deliveries.group.id", "herald-dispatcher-" + groupSuffix);
            config.put("mp.messaging.incoming.deliveries-retry.group.id", "herald-dispatcher-retry-" + groupSuffix);
            config.put("mp.messaging.incoming.deliveries.session.timeout.ms", "6000");
            config.put("mp.messaging.incoming.deliveries.heartbeat.interval.ms", "1000");
            createTopic(kafka, topic, 8);

            try (ServiceProcess first = ServiceProcess.start("dispatcher-service", "dispatcher-a", config);
                    ServiceProcess second = ServiceProcess.start("dispatcher-service", "dispatcher-b", config)) {
                given().contentType("application/json").body("{\"id\":\"scale-" + groupSuffix + "\",\"homeserver\":\""
                        + homeserver.url() + "\",\"access_token\":\"t\"}")
                        .post(first.url() + "/v1/matrix-accounts").then().statusCode(201);

                List<Delivery> deliveries = deliveries("scale-" + groupSuffix);
                Instant start = Instant.now();
                try (KafkaProducer<String, String> producer = producer(kafka)) {
                    for (Delivery d : deliveries) {
                        producer.send(new ProducerRecord<>(topic, d.destination().key(), Json.encode(d)));
                    }
                }
                await().atMost(Duration.ofSeconds(120)).until(() -> homeserver.events() >= DELIVERIES / 4);
                first.kill();
                int atKill = homeserver.events();

                await().atMost(Duration.ofSeconds(180)).until(() -> homeserver.events() >= DELIVERIES);
                Duration drain = Duration.between(start, Instant.now());

                Set<String> expected = deliveries.stream().map(Delivery::txnId).collect(Collectors.toSet());
                Set<String> arrived = homeserver.eventsByTxn().values().stream().map(FakeHomeserver.Event::txnId)
                        .collect(Collectors.toSet());
                assertThat(arrived).isEqualTo(expected);
                assertThat(homeserver.events()).isEqualTo(DELIVERIES);
                // Order per room: events were created in the order of the deliveries to that room.
                for (int room = 0; room < ROOMS; room++) {
                    String roomId = roomId(room);
                    List<String> created = homeserver.eventsByTxn().values().stream()
                            .filter(e -> e.roomId().equals(roomId))
                            .sorted(java.util.Comparator.comparingLong(FakeHomeserver.Event::receivedNanos))
                            .map(FakeHomeserver.Event::txnId).toList();
                    List<String> sent = deliveries.stream().filter(d -> d.destination().matrixRoom().roomId().equals(roomId))
                            .map(Delivery::txnId).toList();
                    assertThat(created).as("order in " + roomId).isEqualTo(sent);
                }
                System.out.printf("scale-out: %d deliveries, %d rooms, 2 dispatchers, one killed at %d events; "
                        + "%d requests (%d redelivered, deduplicated by txnId), 0 lost, drained in %d ms%n",
                        DELIVERIES, ROOMS, atKill, homeserver.requests(), homeserver.requests() - DELIVERIES,
                        drain.toMillis());
            }
        }
    }

    private static List<Delivery> deliveries(String account) {
        List<Delivery> out = new ArrayList<>();
        for (int i = 0; i < DELIVERIES; i++) {
            Destination destination = Destination.room(account, roomId(i % ROOMS));
            String notificationId = UUID.randomUUID().toString();
            out.add(new Delivery(Delivery.idFor(notificationId, destination), notificationId, "scale", destination,
                    MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", "message " + i)),
                    Map.of(), "high", 0, Instant.now().plus(Duration.ofHours(1)), Instant.now()));
        }
        return out;
    }

    private static String roomId(int i) {
        return "!scale" + i + ":example.org";
    }

    static KafkaProducer<String, String> producer(String kafka) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    static void createTopic(String kafka, String topic, int partitions) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", kafka))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }
}

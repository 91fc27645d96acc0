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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Two dispatchers, as packaged, sharing the partitions of {@code herald.deliveries}: an account replaced through one of
 * them (a new token; the old one now refused by the homeserver) is used by the other for its next delivery, because the
 * change reaches it on {@code herald.changes}, not when its cached credentials expire (5 min). Without that, the other
 * instance would send with the refused token and dead-letter the delivery. Prints the time the change took. Then a
 * room's queue, asked of either instance, lists the deliveries the other holds in memory.
 */
class DispatcherReplicaTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void anAccountChangedThroughOneDispatcherIsUsedByTheOtherAtOnce() throws Exception {
        AdminToken.sendByDefault();
        String kafka = EmbeddedKafka.bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "herald.deliveries.replicas-" + run;
        TestKafka.createTopic(kafka, topic, 8);
        Map<String, String> config = new HashMap<>(Map.of(
                "kafka.bootstrap.servers", kafka,
                "quarkus.datasource.jdbc.url", EmbeddedPostgres.jdbcUrl(),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres",
                "herald.secrets.key", "cmVwbGljYS10ZXN0LWtleS0zMi1ieXRlcy1sb25nLS0=",
                "herald.dispatcher.outbound.homeserver-networks", "127.0.0.0/8",
                "mp.messaging.incoming.deliveries.topic", topic,
                "mp.messaging.incoming.deliveries.group.id", "replicas-" + run));
        try (FakeHomeserver homeserver = new FakeHomeserver().recordingRequests();
                KafkaProducer<String, String> producer = TestKafka.producer(kafka);
                ServiceProcess first = ServiceProcess.start("dispatcher-service", "dispatcher-replica-1", config);
                ServiceProcess second = ServiceProcess.start("dispatcher-service", "dispatcher-replica-2", config)) {
            String account = "replica-" + run;
            create(first, account, homeserver, "syt_old");
            List<Destination> rooms = IntStream.range(0, 16)
                    .mapToObj(i -> Destination.room(account, "!replica-" + i + ":replica.test")).toList();

            // Both instances deliver (each owns some partitions) and cache the account's credentials.
            List<String> warm = send(producer, topic, rooms, "warm");
            await().atMost(WAIT).until(() -> delivered(homeserver, warm));
            assertThat(homeserver.requestLog().stream().map(FakeHomeserver.Request::roomId).distinct()).hasSize(16);

            // Replaced through the first: deleted, created again with a new token; the old token is refused from now on.
            given().delete(first.url() + "/v1/matrix-accounts/" + account).then().statusCode(204);
            create(first, account, homeserver, "syt_new");
            homeserver.expire("syt_old");
            long changed = System.nanoTime();
            Thread.sleep(1000); // the promise: replicas agree within a second

            List<String> after = send(producer, topic, rooms, "after");
            await().atMost(WAIT).until(() -> delivered(homeserver, after));
            System.out.printf("account replaced through one dispatcher: 16 rooms over both delivered with the new token,"
                    + " sent 1 s after the change, done %d ms after it%n", (System.nanoTime() - changed) / 1_000_000);
            assertThat(homeserver.requestLog().stream().filter(r -> r.status() == 401).toList())
                    .as("sends with the refused token").isEmpty();

            // A room's queue lists what either instance holds in memory: with the homeserver slow to answer, three
            // deliveries of one room wait in the memory of whichever instance owns their partition (one being sent,
            // two behind it), and both instances list all three.
            homeserver.latency(Duration.ofSeconds(8));
            Destination slow = Destination.room(account, "!replica-slow:replica.test");
            List<String> waiting = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String notification = "slow-" + i + "-" + UUID.randomUUID();
                Instant now = Instant.now();
                Delivery d = new Delivery(Delivery.idFor(notification, slow), notification, "replicas-slow", slow,
                        MatrixEvent.message("@replica:replica.test", Map.of("msgtype", "m.text", "body", "slow")),
                        Map.of(), "high", 0, now.plus(Duration.ofHours(1)), now, null, now);
                producer.send(new ProducerRecord<>(topic, slow.key(), Json.encode(d)));
                waiting.add(d.id());
            }
            producer.flush();
            for (ServiceProcess instance : List.of(first, second)) {
                await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                    io.restassured.path.json.JsonPath queue = given().get(instance.url()
                            + "/v1/rooms/replicas-slow/queue").then().statusCode(200).extract().jsonPath();
                    assertThat(queue.getList("deliveries.delivery_id")).as("listed by " + instance.url())
                            .containsExactlyElementsOf(waiting);
                    assertThat(queue.getList("deliveries.state")).containsOnly("pending");
                    assertThat(queue.getInt("total")).isEqualTo(3);
                    assertThat(queue.getInt("unanswered")).isZero();
                });
            }
            homeserver.latency(Duration.ZERO);
        }
    }

    private static void create(ServiceProcess dispatcher, String account, FakeHomeserver homeserver, String token) {
        given().contentType("application/json").body(Map.of("id", account, "homeserver", homeserver.url(),
                "access_token", token)).post(dispatcher.url() + "/v1/matrix-accounts").then().statusCode(201);
    }

    private static List<String> send(KafkaProducer<String, String> producer, String topic, List<Destination> rooms,
            String label) {
        List<String> txnIds = new ArrayList<>();
        for (Destination room : rooms) {
            String notification = label + "-" + UUID.randomUUID();
            Instant now = Instant.now();
            Delivery d = new Delivery(Delivery.idFor(notification, room), notification, "replicas", room,
                    MatrixEvent.message("@replica:replica.test", Map.of("msgtype", "m.text", "body", label)), Map.of(),
                    "high", 0, now.plus(Duration.ofHours(1)), now, null, now);
            producer.send(new ProducerRecord<>(topic, room.key(), Json.encode(d)));
            txnIds.add(room.matrixRoom().roomId() + "/" + d.txnId());
        }
        producer.flush();
        return txnIds;
    }

    private static boolean delivered(FakeHomeserver homeserver, List<String> txnIds) {
        return homeserver.eventsByTxn().keySet().containsAll(txnIds);
    }
}

package io.herald.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.NotificationEvent;
import io.herald.common.Topics;
import io.herald.testsupport.EmbeddedKafka;
import io.herald.testsupport.EmbeddedPostgres;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two rules-services and two ingest-services, as packaged, on one broker and one PostgreSQL: a change made through one
 * instance (a room linked elsewhere, a push rule disabled, a member removed, a pusher removed, an API key revoked)
 * takes effect on the other as soon as its change event arrives on {@code herald.changes}, not when the other's cache
 * expires (5 min for the rules-service, 1 min for API keys). Prints the measured time of each; asserts only that it is
 * far below those TTLs.
 *
 * <p>The rules-services split the partitions of {@code herald.notifications} (one consumer each), so a probe
 * notification on every partition is planned by both; each round sends one and reads what they planned.
 */
class ReplicaAgreementTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Far below the TTLs the change events replace; the measured times are printed. */
    private static final Duration AGREED_WITHIN = Duration.ofSeconds(5);
    private static final String ADMIN_TOKEN = "e2e-agreement-admin-token";
    private static final String ROOM = "agree-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String GATEWAY = "http://127.0.0.1:9/_matrix/push/v1/notify"; // never called: no dispatcher
    private static final String APP = "org.example.agree";
    private static final Pattern LAG = Pattern.compile(", (\\d+) ms after it was made");

    private static final List<ServiceProcess> services = new ArrayList<>();
    private static ServiceProcess rules1;
    private static ServiceProcess rules2;
    private static ServiceProcess ingest1;
    private static ServiceProcess ingest2;
    private static String kafka;
    private static int partitions;
    private static KafkaProducer<String, String> producer;
    private static KafkaConsumer<String, String> deliveries;

    @BeforeAll
    static void start() throws Exception {
        AdminToken.sendByDefault();
        kafka = EmbeddedKafka.bootstrapServers();
        try {
            TestKafka.createTopic(kafka, Topics.NOTIFICATIONS, 4);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        Map<String, String> common = Map.of(
                "kafka.bootstrap.servers", kafka,
                "quarkus.datasource.jdbc.url", EmbeddedPostgres.jdbcUrl(),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres");
        Map<String, String> rulesConfig = new HashMap<>(common);
        rulesConfig.put("mp.messaging.incoming.notifications.concurrency", "1"); // one consumer per instance
        rulesConfig.put("quarkus.log.category.\"io.herald.common.changes\".level", "DEBUG"); // each event's lag
        rules1 = start("rules-service", "rules-1", rulesConfig);
        rules2 = start("rules-service", "rules-2", rulesConfig);
        Map<String, String> ingestConfig = new HashMap<>(common);
        ingestConfig.put("herald.ingest.admin-token", ADMIN_TOKEN);
        ingestConfig.put("quarkus.log.category.\"io.herald.common.changes\".level", "DEBUG");
        ingest1 = start("ingest-service", "ingest-1", ingestConfig);
        ingest2 = start("ingest-service", "ingest-2", ingestConfig);

        producer = TestKafka.producer(kafka);
        partitions = producer.partitionsFor(Topics.NOTIFICATIONS).size();
        deliveries = deliveriesFromNow();
        awaitBothRulesServicesConsume();
    }

    private static ServiceProcess start(String module, String instance, Map<String, String> config) throws Exception {
        ServiceProcess service = ServiceProcess.start(module, instance, config);
        services.add(service);
        return service;
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (deliveries != null) {
            deliveries.close();
        }
        services.forEach(ServiceProcess::close);
    }

    @Test
    void changesMadeThroughOneInstanceTakeEffectOnTheOtherWithinAFewHundredMilliseconds() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        String carol = user("carol");
        String dave = user("dave"); // no pusher
        String erin = user("erin"); // never changed: her delivery closes each probe
        given().contentType("application/json").body("{\"matrix_room_id\":\"!old:example.org\",\"account\":\"bot\"}")
                .put(rules1.url() + "/v1/rooms/" + ROOM).then().statusCode(201);
        for (String member : List.of(alice, bob, carol, dave, erin)) {
            given().contentType("application/json").body("{}")
                    .put(rules1.url() + "/v1/rooms/" + ROOM + "/members/" + member).then().statusCode(201);
            if (!member.equals(dave)) {
                given().contentType("application/json").body(pusher(member)).post(rules1.url() + "/v1/users/" + member
                        + "/pushers/set").then().statusCode(200);
            }
        }
        // Both instances plan with everything cached: the old link, everyone's rules and pushers.
        assertAllProbes(probe -> probe.roomId().equals("!old:example.org")
                && probe.pushedTo().containsAll(List.of(alice, bob, carol, erin)));
        long roundStart = System.nanoTime();
        assertAllProbes(probe -> probe.roomId().equals("!old:example.org"));
        report("one probe round without a change (what each measurement below includes)", millisSince(roundStart));

        long relinked = agreement("room linked elsewhere (through rules-1)", () ->
                given().contentType("application/json").body("{\"matrix_room_id\":\"!new:example.org\",\"account\":\"bot\"}")
                        .put(rules1.url() + "/v1/rooms/" + ROOM).then().statusCode(200),
                probe -> probe.roomId().equals("!new:example.org"));
        long ruleDisabled = agreement("push rule disabled (through rules-2)", () ->
                given().contentType("application/json").body("{\"enabled\":false}")
                        .put(rules2.url() + "/v1/users/" + alice + "/pushrules/global/underride/.m.rule.message/enabled")
                        .then().statusCode(200),
                probe -> !probe.pushedTo().contains(alice) && probe.pushedTo().contains(bob));
        long memberRemoved = agreement("member removed (through rules-1)", () ->
                given().delete(rules1.url() + "/v1/rooms/" + ROOM + "/members/" + bob).then().statusCode(204),
                probe -> !probe.pushedTo().contains(bob) && probe.pushedTo().contains(carol));
        long pusherRemoved = agreement("pusher removed (through rules-2)", () ->
                given().contentType("application/json")
                        .body("{\"kind\":null,\"app_id\":\"" + APP + "\",\"pushkey\":\"" + pushkey(carol) + "\"}")
                        .post(rules2.url() + "/v1/users/" + carol + "/pushers/set").then().statusCode(200),
                probe -> !probe.pushedTo().contains(carol));

        // ingest: a key verified (and cached) on both instances, revoked through one
        String keyJson = given().header("Authorization", "Bearer " + ADMIN_TOKEN).contentType("application/json")
                .body("{\"tenant\":\"agree\",\"rooms\":[\"*\"]}").post(ingest1.url() + "/v1/admin/api-keys")
                .then().statusCode(201).extract().asString();
        String keyId = Json.decode(keyJson, Map.class).get("id").toString();
        String secret = Json.decode(keyJson, Map.class).get("key").toString();
        assertThat(post(ingest1, secret)).isEqualTo(202);
        assertThat(post(ingest2, secret)).isEqualTo(202);
        long start = System.nanoTime();
        given().header("Authorization", "Bearer " + ADMIN_TOKEN).delete(ingest1.url() + "/v1/admin/api-keys/" + keyId)
                .then().statusCode(204);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> post(ingest2, secret) == 401);
        long revoked = millisSince(start);
        report("API key revoked (through ingest-1, refused by ingest-2)", revoked);

        // the change events themselves, as the receiving instances logged them (ChangeFeed at DEBUG)
        for (ServiceProcess service : services) {
            List<Long> lags = Files.readAllLines(service.log).stream().map(LAG::matcher).filter(Matcher::find)
                    .map(m -> Long.parseLong(m.group(1))).sorted().toList();
            if (!lags.isEmpty()) {
                System.out.printf("replica agreement: %s received %d change events of the other instances, %d-%d ms"
                        + " after they were made (median %d ms)%n", service.name, lags.size(), lags.get(0),
                        lags.get(lags.size() - 1), lags.get(lags.size() / 2));
            }
        }
        for (long measured : List.of(relinked, ruleDisabled, memberRemoved, pusherRemoved, revoked)) {
            assertThat(measured).isLessThan(AGREED_WITHIN.toMillis());
        }
    }

    /** What one probe notification was planned into. */
    record Probe(String notificationId, int partition, String roomId, Set<String> pushedTo) {
    }

    /** Makes a change, then sends probe rounds until every partition's probe shows it; the time it took, in ms. */
    private static long agreement(String what, Runnable change, Predicate<Probe> changed) {
        long start = System.nanoTime();
        change.run();
        long answered = millisSince(start);
        long deadline = start + WAIT.toNanos();
        int rounds = 0;
        while (true) {
            rounds++;
            List<Probe> probes = probeRound();
            if (probes.stream().allMatch(changed)) {
                long millis = millisSince(start);
                report(what + " (the API answered after " + answered + " ms; " + rounds + " probe round(s))", millis);
                return millis;
            }
            assertThat(System.nanoTime()).as(what + ": not seen by every instance: " + probes).isLessThan(deadline);
        }
    }

    private static void assertAllProbes(Predicate<Probe> expected) {
        List<Probe> probes = probeRound();
        assertThat(probes).hasSize(partitions).allMatch(expected);
    }

    /**
     * One probe notification on every partition of herald.notifications; returns what each became, once Erin's push
     * delivery of every probe was read (she is the last member, so the rules-service publishes her delivery last) and
     * everything up to the end of herald.deliveries at that moment.
     */
    private static List<Probe> probeRound() {
        Map<String, Integer> partitionOf = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            NotificationEvent n = new NotificationEvent(UUID.randomUUID().toString(), ROOM,
                    MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", "probe")), Instant.now(),
                    "agreement-test");
            producer.send(new ProducerRecord<>(Topics.NOTIFICATIONS, p, ROOM, Json.encode(n)));
            partitionOf.put(n.id(), p);
        }
        producer.flush();
        Map<String, List<Delivery>> planned = new HashMap<>();
        String erinsPusher = Destination.pusher(new Destination.Pusher(GATEWAY, APP, pushkey(user("erin")), null, null,
                null)).key();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!partitionOf.keySet().stream().allMatch(id -> planned.getOrDefault(id, List.of()).stream()
                .anyMatch(d -> d.destination().key().equals(erinsPusher)))) {
            assertThat(System.nanoTime()).as("probes planned").isLessThan(deadline);
            read(partitionOf.keySet(), planned);
        }
        Map<TopicPartition, Long> end = deliveries.endOffsets(deliveries.assignment());
        while (end.entrySet().stream().anyMatch(e -> deliveries.position(e.getKey()) < e.getValue())) {
            read(partitionOf.keySet(), planned);
        }
        return partitionOf.entrySet().stream().map(e -> {
            List<Delivery> ds = planned.get(e.getKey());
            String roomId = ds.stream().filter(d -> d.destination().matrixRoom() != null)
                    .map(d -> d.destination().matrixRoom().roomId()).findFirst().orElse(null);
            Set<String> pushedTo = ds.stream().filter(d -> d.destination().pusher() != null)
                    .map(d -> owner(d.destination().pusher().pushkey())).collect(Collectors.toCollection(TreeSet::new));
            return new Probe(e.getKey(), e.getValue(), roomId, pushedTo);
        }).toList();
    }

    private static void read(Set<String> ids, Map<String, List<Delivery>> planned) {
        for (ConsumerRecord<String, String> r : deliveries.poll(Duration.ofMillis(100))) {
            Delivery d = Json.decodeDelivery(r.value());
            if (ids.contains(d.notificationId())) {
                planned.computeIfAbsent(d.notificationId(), k -> new ArrayList<>()).add(d);
            }
        }
    }

    private static KafkaConsumer<String, String> deliveriesFromNow() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer());
        List<TopicPartition> all = await().atMost(WAIT).until(() -> consumer.partitionsFor(Topics.DELIVERIES,
                Duration.ofSeconds(5)).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList(),
                list -> !list.isEmpty());
        consumer.assign(all);
        consumer.seekToEnd(all);
        all.forEach(consumer::position);
        return consumer;
    }

    /** Until each rules-service has its own share of herald.notifications (after the second one joined). */
    private static void awaitBothRulesServicesConsume() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka))) {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("herald-rules"))
                        .describedGroups().get("herald-rules").get(30, TimeUnit.SECONDS);
                List<Set<TopicPartition>> notificationConsumers = group.members().stream()
                        .map(MemberDescription::assignment).map(a -> a.topicPartitions().stream()
                                .filter(tp -> tp.topic().equals(Topics.NOTIFICATIONS)).collect(Collectors.toSet()))
                        .filter(s -> !s.isEmpty()).toList();
                return notificationConsumers.size() == 2
                        && notificationConsumers.stream().mapToInt(Set::size).sum() == partitions;
            });
        }
    }

    private static int post(ServiceProcess ingest, String secret) {
        return given().header("Authorization", "Bearer " + secret).contentType("application/json")
                .body("{\"body\":\"agreement\"}").post(ingest.url() + "/v1/rooms/" + ROOM + "-keys/notifications")
                .statusCode();
    }

    private static String pusher(String user) {
        return "{\"kind\":\"http\",\"app_id\":\"" + APP + "\",\"pushkey\":\"" + pushkey(user) + "\","
                + "\"app_display_name\":\"App\",\"device_display_name\":\"Phone\",\"lang\":\"en\","
                + "\"data\":{\"url\":\"" + GATEWAY + "\"}}";
    }

    private static String user(String name) {
        return "@" + ROOM + "-" + name + ":example.org";
    }

    private static String pushkey(String user) {
        return "key-" + user;
    }

    private static String owner(String pushkey) {
        return pushkey.substring("key-".length());
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void report(String what, long millis) {
        System.out.printf("replica agreement: %s: %d ms%n", what, millis);
    }
}

package io.herald.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.herald.common.Json;
import io.herald.common.Topics;
import io.herald.testsupport.EmbeddedKafka;
import io.herald.testsupport.EmbeddedPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmark, not a test (prints numbers, asserts nothing about speed): Herald as a homeserver's push module. Matrix
 * events through herald.events into a room of 200 members (each with a pusher; a mix of default and custom rules),
 * pushed by the packaged rules-service and dispatcher to a local gateway: events per second, pushes per second, and the
 * p99 from event to push at half that rate; the same room on the real Synapse (when {@code HERALD_SYNAPSE_URL} is set),
 * pushing to the same gateway, measured in the same run; and Herald alone with a room of 10,000 members.
 *
 * <pre>./mvnw -pl e2e-tests -am verify -Dtest=PushBenchmark -Dherald.bench=true -Dsurefire.failIfNoSpecifiedTests=false
 *   [-Dherald.bench.events=400] [-Dherald.bench.synapse-events=40] [-Dherald.bench.large-members=10000]</pre>
 */
@EnabledIfSystemProperty(named = "herald.bench", matches = "true")
class PushBenchmark {

    private static final Pattern EVENT_ID = Pattern.compile("\"event_id\":\"([^\"]+)\"");
    private static final Pattern ROOM_ID = Pattern.compile("\"room_id\":\"([^\"]+)\"");
    private static final String APP = "io.herald.bench";

    /** A push gateway that only counts and times: {@code event_id} → when its first push arrived. */
    private static final class Gateway implements AutoCloseable {
        final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        final HttpServer server;
        /** Pushes per room id: a room's count is not moved by late pushes of another (Synapse's, say). */
        final Map<String, AtomicLong> perRoom = new ConcurrentHashMap<>();
        final Map<String, Long> sentNanos = new ConcurrentHashMap<>();
        final List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile boolean timing;

        Gateway() throws Exception {
            server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setTcpNoDelay(true))
                    .requestHandler(request -> request.body().onSuccess(body -> {
                        long now = System.nanoTime();
                        Matcher room = ROOM_ID.matcher(body.toString());
                        if (room.find()) {
                            perRoom.computeIfAbsent(room.group(1), r -> new AtomicLong()).incrementAndGet();
                        }
                        if (timing) {
                            Matcher m = EVENT_ID.matcher(body.toString());
                            if (m.find()) {
                                Long sent = sentNanos.get(m.group(1));
                                if (sent != null) {
                                    latencies.add(now - sent);
                                }
                            }
                        }
                        request.response().putHeader("Content-Type", "application/json").end("{\"rejected\":[]}");
                    })).listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        String url() {
            return "http://127.0.0.1:" + server.actualPort() + FakePushGateway.NOTIFY_PATH;
        }

        long pushes(String roomId) {
            AtomicLong n = perRoom.get(roomId);
            return n == null ? 0 : n.get();
        }

        @Override
        public void close() {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    @Test
    void eventsAndPushesPerSecond() throws Exception {
        int events = Integer.getInteger("herald.bench.events", 400);
        int synapseEvents = Integer.getInteger("herald.bench.synapse-events", 40);
        int largeMembers = Integer.getInteger("herald.bench.large-members", 10_000);
        String run = UUID.randomUUID().toString().substring(0, 8);
        String kafka = EmbeddedKafka.bootstrapServers();
        Map<String, String> common = Map.of("kafka.bootstrap.servers", kafka,
                "quarkus.datasource.jdbc.url", EmbeddedPostgres.jdbcUrl(),
                "quarkus.datasource.username", "postgres", "quarkus.datasource.password", "postgres");
        AdminToken.sendByDefault();
        List<String> lines = new ArrayList<>();
        java.util.function.Consumer<String> report = line -> {
            System.out.println("PushBenchmark: " + line); // as measured: a run cut short keeps what it had
            lines.add(line);
        };
        try (Gateway gateway = new Gateway();
                KafkaProducer<String, String> producer = TestKafka.producer(kafka);
                ServiceProcess rules = ServiceProcess.start("rules-service", "bench-rules", merge(common, Map.of(
                        "herald.rules.defaults", "synapse")));
                ServiceProcess dispatcher = ServiceProcess.start("dispatcher-service", "bench-dispatcher",
                        merge(common, Map.of("herald.secrets.key", "YmVuY2gtdGVzdC1rZXktMzItYnl0ZXMtbG9uZy0tLS0=",
                                "herald.dispatcher.outbound.allowed-networks", "127.0.0.1/32")))) {
            HeraldRoom room = new HeraldRoom("!bench-" + run + ":bench.example", "bench" + run, 200, rules, gateway,
                    producer);
            room.setUp(true);
            int perEvent = room.calibrate();
            for (int i = 0; i < 5; i++) {
                room.flood(events / 2, perEvent); // warm-up: the JIT compilers of both services settle
            }
            double[] flood = room.flood(events, perEvent);
            report.accept(String.format("Herald, 200 members (%d pushes per event): %.0f events/s, %.0f pushes/s",
                    perEvent, flood[0], flood[1]));
            double p99 = room.latency(events, flood[0] / 2, perEvent);
            report.accept(String.format("Herald, 200 members, at %.0f events/s: event → push p50 %.1f ms, p99 %.1f ms",
                    flood[0] / 2, room.p50, p99));

            SynapseClient synapse = SynapseClient.fromEnvironment();
            if (synapse != null) {
                report.accept(synapseRun(synapse, gateway, run, synapseEvents));
            } else {
                report.accept("Synapse: not measured (HERALD_SYNAPSE_URL is not set)");
            }

            HeraldRoom large = new HeraldRoom("!large-" + run + ":bench.example", "large" + run, largeMembers, rules,
                    gateway, producer);
            large.setUp(false);
            int largePerEvent = large.calibrate();
            large.flood(5, largePerEvent);
            double[] largeFlood = large.flood(Math.max(10, events / 20), largePerEvent);
            report.accept(String.format("Herald, %d members (%d pushes per event): %.1f events/s, %.0f pushes/s",
                    largeMembers, largePerEvent, largeFlood[0], largeFlood[1]));
        }
        System.out.println("\n==== PushBenchmark\n" + String.join("\n", lines) + "\n");
    }

    /** A room fed to Herald through herald.events: state, then messages by its first member. */
    private static final class HeraldRoom {
        final String roomId;
        final String prefix;
        final int members;
        final ServiceProcess rules;
        final Gateway gateway;
        final KafkaProducer<String, String> producer;
        double p50;
        long ts = System.currentTimeMillis();

        HeraldRoom(String roomId, String prefix, int members, ServiceProcess rules, Gateway gateway,
                KafkaProducer<String, String> producer) {
            this.roomId = roomId;
            this.prefix = prefix;
            this.members = members;
            this.rules = rules;
            this.gateway = gateway;
            this.producer = producer;
        }

        long pushes() {
            return gateway.pushes(roomId);
        }

        String user(int i) {
            return "@" + prefix + "-" + i + ":bench.example";
        }

        /** Pushers for everyone; with {@code customRules}: a keyword for a quarter, a muted room for a tenth. */
        void setUp(boolean customRules) {
            for (int i = 0; i < members; i++) {
                String u = user(i);
                given().contentType("application/json").body(Json.encode(Map.of("kind", "http", "app_id", APP,
                        "pushkey", "k-" + u, "app_display_name", "bench", "device_display_name", "bench", "lang", "en",
                        "data", i % 2 == 0 ? Map.of("url", gateway.url()) : Map.of("url", gateway.url(),
                                "format", "event_id_only"))))
                        .post(rules.url() + "/v1/users/" + u + "/pushers/set").then().statusCode(200);
                if (customRules && i % 4 == 1) {
                    given().contentType("application/json").body("{\"pattern\":\"deploy\",\"actions\":[\"notify\","
                            + "{\"set_tweak\":\"highlight\"}]}")
                            .put(rules.url() + "/v1/users/" + u + "/pushrules/global/content/deploy").then().statusCode(200);
                }
                if (customRules && i % 10 == 3) {
                    given().contentType("application/json").body("{\"actions\":[\"dont_notify\"]}")
                            .put(rules.url() + "/v1/users/" + u + "/pushrules/global/room/" + roomId)
                            .then().statusCode(200);
                }
            }
            send("m.room.create", "", user(0), Map.of("room_version", "11"));
            send("m.room.power_levels", "", user(0), Map.of("users", Map.of(user(0), 100)));
            for (int i = 0; i < members; i++) {
                send("m.room.member", user(i), user(i), Map.of("membership", "join", "displayname", "Member " + i));
            }
            producer.flush();
        }

        String send(String type, String stateKey, String sender, Map<String, Object> content) {
            String id = "$" + UUID.randomUUID();
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("event_id", id);
            event.put("room_id", roomId);
            event.put("type", type);
            event.put("sender", sender);
            event.put("origin_server_ts", ts++);
            event.put("content", content);
            if (stateKey != null) {
                event.put("state_key", stateKey);
            }
            producer.send(new ProducerRecord<>(Topics.EVENTS, roomId, Json.encode(event)));
            return id;
        }

        String message(int n) {
            // the same recipients for every message: the keyword rule of a quarter (highlight) always matches, and
            // wins over the room rule of the muted who also have it (content rules come first)
            return send("m.room.message", null, user(0), Map.of("msgtype", "m.text", "body",
                    "release " + n + ": we deploy now", "m.mentions", Map.of()));
        }

        /** Pushes one message makes: waits until the gateway is quiet after one. */
        int calibrate() {
            long before = pushes();
            message(0);
            producer.flush();
            await().atMost(Duration.ofMinutes(5)).until(() -> pushes() > before);
            long seen;
            do {
                seen = pushes();
                sleep(1000);
            } while (pushes() != seen);
            return (int) (pushes() - before);
        }

        /** {@code n} messages as fast as they go; answers events/s and pushes/s until the last push arrived. */
        double[] flood(int n, int perEvent) {
            long before = pushes();
            long start = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                message(i);
            }
            producer.flush();
            await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> pushes() - before >= (long) n * perEvent);
            double seconds = (System.nanoTime() - start) / 1e9;
            return new double[] {n / seconds, (pushes() - before) / seconds};
        }

        /** {@code n} messages at {@code rate}: p99 (and p50) of event → its first push, in ms. */
        double latency(int n, double rate, int perEvent) {
            gateway.latencies.clear();
            gateway.timing = true;
            long before = pushes();
            long interval = (long) (1e9 / rate);
            long next = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                while (System.nanoTime() < next) {
                    Thread.onSpinWait();
                }
                long now = System.nanoTime();
                String id = message(i);
                gateway.sentNanos.put(id, now);
                next += interval;
            }
            producer.flush();
            await().atMost(Duration.ofMinutes(20)).until(() -> pushes() - before >= (long) n * perEvent);
            gateway.timing = false;
            long[] sorted = gateway.latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            p50 = sorted[sorted.length / 2] / 1e6;
            return sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1e6;
        }
    }

    /** The same room on Synapse: 200 users with pushers to the same gateway, messages by the first. */
    private static String synapseRun(SynapseClient synapse, Gateway gateway, String run, int events) throws Exception {
        List<SynapseClient.User> users = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            SynapseClient.User u = synapse.register("bench" + run + "x" + i, "Member " + i);
            users.add(u);
            synapse.pusher(u, Map.of("kind", "http", "app_id", APP, "pushkey", "s-" + u.id(), "app_display_name",
                    "bench", "device_display_name", "bench", "lang", "en", "data", i % 2 == 0
                            ? Map.of("url", gateway.url()) : Map.of("url", gateway.url(), "format", "event_id_only")));
        }
        SynapseClient.User owner = users.get(0);
        String room = synapse.createRoom(owner, Map.of("preset", "public_chat"));
        for (SynapseClient.User u : users.subList(1, users.size())) {
            synapse.join(u, room);
        }
        // calibrate and warm up: pushes of one message, then a few rounds
        long before = gateway.pushes(room);
        synapse.send(owner, room, "m.room.message", Map.of("msgtype", "m.text", "body", "hello", "m.mentions", Map.of()));
        await().atMost(Duration.ofMinutes(5)).until(() -> gateway.pushes(room) - before >= 199);
        sleep(2000);
        int perEvent = (int) (gateway.pushes(room) - before);
        long warm = gateway.pushes(room);
        for (int i = 0; i < events / 2; i++) {
            synapse.send(owner, room, "m.room.message", Map.of("msgtype", "m.text", "body", "warm " + i,
                    "m.mentions", Map.of()));
        }
        await().atMost(Duration.ofMinutes(20)).until(() -> gateway.pushes(room) - warm >= (long) events / 2 * perEvent);
        long start = System.nanoTime();
        long from = gateway.pushes(room);
        for (int i = 0; i < events; i++) {
            synapse.send(owner, room, "m.room.message", Map.of("msgtype", "m.text", "body", "release " + i,
                    "m.mentions", Map.of()));
        }
        double sent = (System.nanoTime() - start) / 1e9;
        await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> gateway.pushes(room) - from >= (long) events * perEvent);
        double seconds = (System.nanoTime() - start) / 1e9;
        return String.format("Synapse 1.160, 200 members (%d pushes per event): %.1f events/s accepted (%.1f s for %d),"
                + " %.0f pushes/s (last push %.1f s after the first send)", perEvent, events / sent, sent, events,
                (gateway.pushes(room) - from) / seconds, seconds);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new LinkedHashMap<>(a);
        m.putAll(b);
        return m;
    }
}

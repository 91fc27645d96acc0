package io.herald.e2e;

import static io.restassured.RestAssured.given;

import io.herald.common.Topics;
import io.herald.testsupport.EmbeddedPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What the fault suite runs against, shared by its scenarios: a Kafka broker in its own process (so it can be
 * stopped and started), the embedded PostgreSQL, a fake homeserver and a fake push gateway, and the three services
 * as packaged jars in their own processes, restarted by the scenarios that kill them.
 */
final class HeraldStack implements AutoCloseable {

    static final String ACCOUNT = "fault";
    static final String SENDER = "@herald:fault.test";
    /** The dispatcher's key ring (herald.secrets.key). */
    static final String SECRETS_KEY = "ZmF1bHQtc3VpdGUta2V5LTMyLWJ5dGVzLWxvbmctLS0=";

    final KafkaBroker broker;
    final FakeHomeserver homeserver;
    final FakePushGateway gateway;
    private final AtomicInteger instances = new AtomicInteger();
    volatile ServiceProcess ingest;
    volatile ServiceProcess rules;
    /** The running dispatchers (one, except while a scenario runs two). */
    final List<ServiceProcess> dispatchers = new java.util.concurrent.CopyOnWriteArrayList<>();
    String apiKey;

    private HeraldStack(KafkaBroker broker, FakeHomeserver homeserver, FakePushGateway gateway) {
        this.broker = broker;
        this.homeserver = homeserver;
        this.gateway = gateway;
    }

    /** Held so the levels stick (JUL keeps loggers weakly): the test's own Kafka clients log at INFO otherwise. */
    private static final List<java.util.logging.Logger> QUIET = java.util.stream.Stream.of("org.apache.kafka", "io.vertx")
            .map(java.util.logging.Logger::getLogger).toList();

    static HeraldStack start() throws Exception {
        QUIET.forEach(logger -> logger.setLevel(java.util.logging.Level.WARNING));
        AdminToken.sendByDefault();
        // PostgreSQL with the services' roles (deploy/postgres/roles.sql), started while the broker starts.
        CompletableFuture<Map<String, String>> postgres =
                CompletableFuture.supplyAsync(() -> EmbeddedPostgres.datasourceOf("ingest"));
        KafkaBroker broker = KafkaBroker.start();
        broker.createTopics(Map.of(Topics.NOTIFICATIONS, 8, Topics.DELIVERIES, 8,
                Topics.NOTIFICATIONS_DLQ, 1, Topics.DELIVERIES_DLQ, 1, Topics.PUSHERS_REJECTED, 1));
        postgres.get(120, TimeUnit.SECONDS);
        HeraldStack stack = new HeraldStack(broker, new FakeHomeserver().recordingRequests(), new FakePushGateway());
        CompletableFuture<ServiceProcess> ingest = CompletableFuture.supplyAsync(() -> stack.start("ingest-service"));
        CompletableFuture<ServiceProcess> rules = CompletableFuture.supplyAsync(() -> stack.start("rules-service"));
        CompletableFuture<ServiceProcess> dispatcher = CompletableFuture.supplyAsync(() -> stack.start("dispatcher-service"));
        stack.ingest = ingest.get(300, TimeUnit.SECONDS);
        stack.rules = rules.get(300, TimeUnit.SECONDS);
        stack.dispatchers.add(dispatcher.get(300, TimeUnit.SECONDS));

        // Producers authenticate with an API key; this one may post to any room, with room for the suite's pace.
        stack.apiKey = given().contentType("application/json")
                .body("{\"tenant\":\"fault\",\"sender\":\"" + SENDER + "\",\"rooms\":[\"*\"],"
                        + "\"rate_limit\":{\"per_second\":100000,\"burst\":100000}}")
                .post(stack.ingest.url() + "/v1/admin/api-keys").then().statusCode(201).extract().path("key");
        given().contentType("application/json").body("{\"id\":\"" + ACCOUNT + "\",\"homeserver\":\""
                + stack.homeserver.url() + "\",\"access_token\":\"syt_fault\",\"user_id\":\"@herald:fault.test\","
                + "\"device_id\":\"HERALDFAULT\"}")
                .post(stack.dispatcher().url() + "/v1/matrix-accounts").then().statusCode(201);
        stack.warmUp();
        return stack;
    }

    /**
     * Sends a notification into each of 16 warm-up rooms (spread over the partitions) and waits until all arrived,
     * so that every consumer group has formed and the pipeline flows before the first scenario's stream starts: a
     * scenario's fault must land mid-stream, not while the services are still joining their groups.
     */
    private void warmUp() {
        List<String> rooms = java.util.stream.IntStream.range(0, 16).mapToObj(i -> "warmup-" + i).toList();
        for (String room : rooms) {
            given().contentType("application/json").body(Map.of("matrix_room_id", "!" + room + ":fault.test",
                    "account", ACCOUNT)).put(rules.url() + "/v1/rooms/" + room).then().statusCode(201);
            given().header("Authorization", "Bearer " + apiKey).contentType("application/json")
                    .body(Map.of("subject", "warm-up", "body", room))
                    .post(ingest.url() + "/v1/rooms/" + room + "/notifications").then().statusCode(202);
        }
        org.awaitility.Awaitility.await("the warm-up notifications at the homeserver").atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(200)).until(() -> homeserver.eventsByTxn().values().stream()
                        .filter(e -> e.roomId().startsWith("!warmup-")).count() == rooms.size());
    }

    /** Starts one more instance of a service (each instance gets its own log under target/service-logs). */
    ServiceProcess start(String module) {
        // As in production: the service's own KafkaUser (SASL/SCRAM, its ACLs) and PostgreSQL role (its schema only).
        String service = module.replace("-service", "");
        Map<String, String> config = new HashMap<>(broker.serviceConfig("herald-" + service));
        config.putAll(EmbeddedPostgres.datasourceOf(service));
        switch (module) {
            case "dispatcher-service" -> {
                config.put("herald.secrets.key", SECRETS_KEY);
                // No send-rate limit of the bot account: the suite measures faults, not throttling.
                config.put("herald.dispatcher.account.rate-per-second", "100000");
                config.put("herald.dispatcher.account.burst", "100000");
                config.put("herald.dispatcher.request-timeout", "10s");
                // Peers asking for absurd waits (scenario 8) are answered after 5 s, not the default hour.
                config.put("herald.dispatcher.retry-after.max", "5s");
                // -Dherald.fault.dispatcher.<property>=<value>: a dispatcher setting for a run (e.g. a log level)
                System.getProperties().stringPropertyNames().stream().filter(n -> n.startsWith("herald.fault.dispatcher."))
                        .forEach(n -> config.put(n.substring("herald.fault.dispatcher.".length()), System.getProperty(n)));
                // The fake push gateway and the fake homeserver listen on loopback.
                config.put("herald.dispatcher.outbound.allowed-networks", "127.0.0.0/8");
            }
            default -> {
            }
        }
        String instance = "fault-" + module.replace("-service", "") + "-" + instances.incrementAndGet();
        try {
            return ServiceProcess.start(module, instance, config);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A running dispatcher, for its API (dead letters, delivery log). */
    ServiceProcess dispatcher() {
        return dispatchers.get(0);
    }

    ServiceProcess startDispatcher() {
        ServiceProcess d = start("dispatcher-service");
        dispatchers.add(d);
        return d;
    }

    /** A graceful stop (SIGTERM) of a dispatcher, which leaves the stack. */
    void stopDispatcher(ServiceProcess d) {
        dispatchers.remove(d);
        d.close();
    }

    /** Creates a dispatcher account posting to {@code homeserver}; {@code password}: kept for re-login, or null. */
    void createAccount(String id, FakeHomeserver homeserver, String token, String password) {
        Map<String, Object> body = new HashMap<>(Map.of("id", id, "homeserver", homeserver.url(), "access_token", token,
                "user_id", "@herald:fault.test", "device_id", "HERALDFAULT"));
        if (password != null) {
            body.put("password", password);
        }
        given().contentType("application/json").body(body).post(dispatcher().url() + "/v1/matrix-accounts")
                .then().statusCode(201);
    }

    /** {@code kill -9} of a dispatcher, which leaves the stack. */
    void killDispatcher(ServiceProcess d) throws InterruptedException {
        dispatchers.remove(d);
        d.kill();
    }

    /**
     * Work not yet done: records not yet processed (end offset minus committed offset) of the consumer groups that
     * carry notifications and deliveries (rules on {@code herald.notifications}, the dispatcher on
     * {@code herald.deliveries}), plus the deliveries parked in PostgreSQL. Zero means nothing is in flight and nothing
     * will be redelivered.
     */
    long backlog() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            return lag(admin, "herald-rules", Topics.NOTIFICATIONS) + lag(admin, "herald-dispatcher", Topics.DELIVERIES)
                    + parked();
        }
    }

    /** Deliveries parked in PostgreSQL, waiting for their destination. */
    long parked() throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(EmbeddedPostgres.jdbcUrl(), "postgres", "postgres");
                java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM dispatcher.parked_delivery")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long lag(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().size();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long lag = 0;
        for (var end : admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).entrySet()) {
            OffsetAndMetadata c = committed.get(end.getKey());
            lag += end.getValue().offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    /**
     * True while every service a scenario did not stop itself runs; throws when one exited (killed from outside the
     * suite, or crashed), so a scenario fails at once with the reason instead of waiting for its deadline.
     */
    boolean running() {
        for (ServiceProcess p : allServices()) {
            if (p != null && !p.isAlive() && !p.stoppedOnPurpose()) {
                throw new IllegalStateException(p.name + " exited unexpectedly; see " + p.log);
            }
        }
        return true;
    }

    private List<ServiceProcess> allServices() {
        List<ServiceProcess> all = new ArrayList<>(dispatchers);
        all.add(ingest);
        all.add(rules);
        return all;
    }

    /** Restarts any service that is not running (a failed scenario must not take the next ones down with it). */
    void ensureRunning() throws Exception {
        if (!broker.isRunning()) {
            broker.restart();
        }
        if (!ingest.isAlive()) {
            ingest = start("ingest-service");
        }
        if (!rules.isAlive()) {
            rules = start("rules-service");
        }
        for (ServiceProcess d : new ArrayList<>(dispatchers)) {
            if (!d.isAlive()) {
                dispatchers.remove(d);
            }
        }
        if (dispatchers.isEmpty()) {
            startDispatcher();
        }
    }

    @Override
    public void close() throws Exception {
        List<AutoCloseable> all = new ArrayList<>(dispatchers);
        all.add(ingest);
        all.add(rules);
        all.add(homeserver);
        all.add(gateway);
        all.add(broker);
        for (AutoCloseable c : all) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    static Duration seconds(String property, long defaultSeconds) {
        return Duration.ofSeconds(Long.getLong(property, defaultSeconds));
    }
}

package io.herald.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.common.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault-injection suite of issue #8: the three packaged services as processes against a real broker (its own
 * process, so it can be stopped) and PostgreSQL, a fake homeserver and a fake push gateway, and one fault per scenario
 * while {@value FaultScenario#ROOMS}+1 rooms receive a stream of notifications ({@code herald.fault.notifications},
 * 2,000 by default). Every scenario checks the same promises (see {@link FaultScenario#finish}) and prints one line:
 * {@code scenario | accepted | delivered | duplicates | dead letters | time to drain}, also appended to
 * {@code e2e-tests/target/fault-suite.txt}. See docs/fault-suite.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteTest {

    private static final Duration RESTART_AFTER = Duration.ofSeconds(5);
    private static final Duration BROKER_DOWN = HeraldStack.seconds("herald.fault.broker-outage", 15);
    private static final Duration HOMESERVER_DOWN = HeraldStack.seconds("herald.fault.homeserver-outage", 20);
    private static final Duration RATE_LIMITED = HeraldStack.seconds("herald.fault.rate-limit-window", 10);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private static HeraldStack stack;
    private static Instant suiteStart;

    @BeforeAll
    static void startStack() throws Exception {
        suiteStart = Instant.now();
        Files.createDirectories(FaultScenario.SUMMARY.getParent());
        Files.writeString(FaultScenario.SUMMARY, String.format("# Herald fault suite, %s, %d notifications per scenario at "
                + "%.0f/s%n# scenario | accepted | delivered | duplicates | dead letters | time to drain%n",
                LocalDate.now(), FaultScenario.NOTIFICATIONS, FaultScenario.RATE));
        Files.deleteIfExists(FaultScenario.DETAILS);
        stack = HeraldStack.start();
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
        String total = String.format("# suite: %d s%n", Duration.between(suiteStart, Instant.now()).toSeconds());
        Files.writeString(FaultScenario.SUMMARY, total, java.nio.file.StandardOpenOption.APPEND);
    }

    @Test
    @Order(1)
    void dispatcherKilledAndRestarted() throws Exception {
        FaultScenario s = new FaultScenario(stack, "s1a", "1a dispatcher kill -9, restarted after 5 s").setUp();
        NotificationStream stream = s.streamOverHttp(s.plan);
        s.awaitMidStream(stream);
        Instant killed = Instant.now();
        stack.killDispatcher(stack.dispatcher());
        FaultScenario.hold(killed, RESTART_AFTER);
        stack.startDispatcher();
        s.finish(Instant.now());
    }

    @Test
    @Order(2)
    void oneOfTwoDispatchersKilledForGood() throws Exception {
        FaultScenario s = new FaultScenario(stack, "s1b", "1b two dispatchers, one killed -9 for good").setUp();
        stack.startDispatcher();
        // Both instances own partitions before the stream starts, so the one killed is doing real work.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> activeMembers("herald-dispatcher") == 2);
        NotificationStream stream = s.streamOverHttp(s.plan);
        s.awaitMidStream(stream);
        stack.killDispatcher(stack.dispatcher());
        s.finish(null);
        assertThat(stack.dispatchers).hasSize(1);
    }

    @Test
    @Order(3)
    void rulesServiceKilledAndRestarted() throws Exception {
        FaultScenario s = new FaultScenario(stack, "s2", "2 rules-service kill -9, restarted after 5 s").setUp();
        NotificationStream stream = s.streamOverHttp(s.plan);
        s.awaitMidStream(stream);
        Instant killed = Instant.now();
        stack.rules.kill();
        FaultScenario.hold(killed, RESTART_AFTER);
        stack.rules = stack.start("rules-service");
        s.finish(Instant.now());
    }

    @Test
    @Order(4)
    void brokerStoppedAndStartedAgain() throws Exception {
        FaultScenario s = new FaultScenario(stack, "s3", "3 Kafka broker stopped " + BROKER_DOWN.toSeconds() + " s").setUp();
        NotificationStream stream = s.streamOverHttp(s.plan);
        s.awaitMidStream(stream);
        stack.broker.stop();
        Instant stopped = Instant.now();
        FaultScenario.hold(stopped, BROKER_DOWN);
        Instant restarting = Instant.now();
        stack.broker.restart();
        Instant back = Instant.now();
        s.detail("broker process gone for %d ms, answering again %d ms after it was gone",
                Duration.between(stopped, restarting).toMillis(), Duration.between(stopped, back).toMillis());
        s.finish(back);
        assertThat(stream.unavailable()).as("503 answers from ingest while the broker was down").isPositive();
    }

    @Test
    @Order(5)
    void homeserverDownThenBack() throws Exception {
        FaultScenario s = new FaultScenario(stack, "s4", "4 homeserver down " + HOMESERVER_DOWN.toSeconds()
                + " s (connection refused)").setUp();
        double parkedBefore = metric(stack.dispatcher(), "herald_deliveries_parked_total");
        NotificationStream stream = s.streamOverHttp(s.plan);
        s.awaitMidStream(stream);
        Instant down = Instant.now();
        stack.homeserver.down();
        int atDown = s.events().size();
        FaultScenario.hold(down, HOMESERVER_DOWN);
        stack.homeserver.up();
        s.detail("%d delivered when it went down, %d when it came back", atDown, s.events().size());
        s.finish(Instant.now());
        assertThat(metric(stack.dispatcher(), "herald_deliveries_parked_total") - parkedBefore)
                .as("deliveries parked during the outage").isPositive();
    }

    @Test
    @Order(6)
    void homeserverRateLimits() throws Exception {
        FaultScenario s = new FaultScenario(stack, "s5a", "5a homeserver 429 Retry-After " + RETRY_AFTER.toSeconds()
                + " s for " + RATE_LIMITED.toSeconds() + " s").setUp();
        NotificationStream stream = s.streamOverHttp(s.plan);
        s.awaitMidStream(stream);
        Instant from = Instant.now();
        stack.homeserver.rateLimit(RETRY_AFTER);
        FaultScenario.hold(from, RATE_LIMITED);
        stack.homeserver.rateLimit(null);
        s.finish(Instant.now());

        // Retry-After was honoured: after a 429, the same txnId came back no sooner than it said.
        Map<String, List<FakeHomeserver.Request>> byTxn = new HashMap<>();
        stack.homeserver.requestLog().stream().filter(r -> r.roomId().startsWith("!s5a-"))
                .forEach(r -> byTxn.computeIfAbsent(r.roomId() + "/" + r.txnId(), k -> new ArrayList<>()).add(r));
        int limited = 0;
        List<String> tooEarly = new ArrayList<>();
        for (List<FakeHomeserver.Request> attempts : byTxn.values()) {
            for (int i = 0; i + 1 < attempts.size(); i++) {
                if (attempts.get(i).status() == 429) {
                    limited++;
                    long gapMs = (attempts.get(i + 1).receivedNanos() - attempts.get(i).receivedNanos()) / 1_000_000;
                    if (gapMs < RETRY_AFTER.toMillis() - 100) {
                        tooEarly.add(attempts.get(i).txnId() + " after " + gapMs + " ms");
                    }
                }
            }
        }
        assertThat(limited).as("sends answered 429 and tried again").isPositive();
        assertThat(tooEarly).as("retries sooner than Retry-After").isEmpty();
    }

    @Test
    @Order(7)
    void fiveHundredStorm() throws Exception {
        FaultScenario s = new FaultScenario(stack, "s5b", "5b 500 on 30% of homeserver and gateway requests").setUp();
        stack.homeserver.failRandomly(0.3);
        stack.gateway.failRandomly(0.3);
        try {
            s.streamOverHttp(s.plan);
            s.finish(null);
        } finally {
            stack.homeserver.failRandomly(0);
            stack.gateway.failRandomly(0);
        }
        assertThat(stack.homeserver.requestLog().stream().filter(r -> r.roomId().startsWith("!s5b-") && r.status() == 500))
                .as("homeserver 500 answers").isNotEmpty();
        assertThat(stack.gateway.pushes().stream().filter(p -> p.pushkey().startsWith("s5b-") && p.status() == 500))
                .as("gateway 500 answers").isNotEmpty();
    }

    @Test
    @Order(8)
    void gatewayRejectsPushkeys() throws Exception {
        FaultScenario s = new FaultScenario(stack, "s6", "6 gateway rejects 4 of 17 pushkeys").setUp();
        for (int k = 0; k < 4; k++) {
            s.rejectedRooms.add(k);
            stack.gateway.reject(s.pushkey(k));
        }
        int half = s.plan.size() / 2;
        NotificationStream first = s.streamOverHttp(s.plan.subList(0, half));
        first.await(FaultScenario.DRAIN_TIMEOUT);
        // The rejected pushers disappear from the rules-service (the others stay).
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            for (int k = 0; k <= FaultScenario.ROOMS; k++) {
                int pushers = given().get(stack.rules.url() + "/v1/users/" + s.user(k) + "/pushers").then().statusCode(200)
                        .extract().jsonPath().getList("pushers").size();
                if (pushers != (s.rejectedRooms.contains(k) ? 0 : 1)) {
                    return false;
                }
            }
            return true;
        });
        // Everything of the first half is planned once its room deliveries arrived (a notification's deliveries are
        // published together); the second half is planned without the removed pushers.
        await().atMost(FaultScenario.DRAIN_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> s.events().size() >= half - half / FaultScenario.FORBIDDEN_EVERY);
        s.streamOverHttp(s.plan.subList(half, s.plan.size()));
        s.finish(null);

        Map<String, Long> counts = s.pushCounts();
        for (int k : s.rejectedRooms) {
            String prefix = s.pushkey(k) + "|";
            List<String> calls = counts.keySet().stream().filter(c -> c.startsWith(prefix)).toList();
            assertThat(calls).as("calls of rejected pushkey " + s.pushkey(k)).isNotEmpty();
            // Never retried: each rejected push was sent once.
            assertThat(calls.stream().filter(c -> counts.get(c) > 1).toList()).as("rejected pushes sent twice").isEmpty();
            // Never called again: nothing of the second half went to it.
            assertThat(calls.stream().map(c -> Integer.parseInt(c.substring(c.lastIndexOf('-') + 1)))
                    .filter(i -> i >= half).toList()).as("second-half pushes to rejected " + s.pushkey(k)).isEmpty();
        }
        // The delivery log records a rejected push as "rejected" (one per rejected pushkey checked).
        List<String> rejectedIds = new ArrayList<>();
        for (int k : s.rejectedRooms) {
            String prefix = s.pushkey(k) + "|";
            String marker = counts.keySet().stream().filter(c -> c.startsWith(prefix)).findFirst().orElseThrow()
                    .substring(prefix.length());
            String notificationId = s.acceptedId(marker);
            rejectedIds.add(s.pushDeliveryIdFor(k, notificationId));
        }
        assertThat(s.deliveryLog(rejectedIds).values()).hasSize(rejectedIds.size())
                .allMatch(entry -> "rejected".equals(entry.path("state").asText()));
    }

    @Test
    @Order(9)
    void poisonRecordsOnTheNotificationsTopic() throws Exception {
        FaultScenario s = new FaultScenario(stack, "s7", "7 poison records on herald.notifications").setUp();
        Map<Integer, List<ProducerRecord<String, byte[]>>> poison = new HashMap<>();
        Random random = new Random(7);
        String event = "\"event\":{\"type\":\"m.room.message\",\"sender\":\"" + HeraldStack.SENDER
                + "\",\"content\":{\"msgtype\":\"m.text\",\"body\":\"poison\"}}";
        for (int copy = 0; copy < 2; copy++) {
            byte[] garbage = new byte[64];
            random.nextBytes(garbage);
            garbage[0] = (byte) 0xff;
            List<Object[]> kinds = List.of(
                    new Object[] {garbage, "not a valid NotificationEvent"},
                    new Object[] {("{\"hello\":\"world " + copy + "\"}").getBytes(StandardCharsets.UTF_8), "'id' is required"},
                    new Object[] {("[" + copy + ",2,3]").getBytes(StandardCharsets.UTF_8), "not a valid NotificationEvent"},
                    new Object[] {("{\"id\":\"" + UUID.randomUUID() + "\"," + event + "}").getBytes(StandardCharsets.UTF_8),
                            "'room' is required"},
                    new Object[] {("{\"id\":\"" + UUID.randomUUID() + "\",\"room\":\"s7-no-such-room\"," + event + "}")
                            .getBytes(StandardCharsets.UTF_8), "unknown room"},
                    new Object[] {("{\"id\":\"" + UUID.randomUUID() + "\",\"room\":\"" + s.roomKey(copy)
                            + "\",\"event\":{\"type\":\"m.room.message\"}}").getBytes(StandardCharsets.UTF_8),
                            "'event.content' must be an object"},
                    // beyond the contract's limits: the delivery log could not store them (issue #14)
                    new Object[] {("{\"id\":\"" + UUID.randomUUID() + "x".repeat(300) + "\",\"room\":\""
                            + s.roomKey(copy) + "\"," + event + "}").getBytes(StandardCharsets.UTF_8),
                            "'id' must be at most 255 characters"},
                    new Object[] {("{\"id\":\"" + UUID.randomUUID() + "\\u0000\",\"room\":\"" + s.roomKey(copy)
                            + "\"," + event + "}").getBytes(StandardCharsets.UTF_8),
                            "'id' must not contain control characters"},
                    new Object[] {("{\"id\":\"" + UUID.randomUUID() + "\",\"room\":\"" + s.roomKey(copy)
                            + "\"," + event.replace("\"poison\"", "\"" + "p".repeat(70_000) + "\"") + "}")
                            .getBytes(StandardCharsets.UTF_8), "'event' must be at most 65536 bytes"});
            for (int k = 0; k < kinds.size(); k++) {
                int before = (copy * kinds.size() + k + 1) * s.plan.size() / (2 * kinds.size() + 2);
                String key = s.roomKey((copy * kinds.size() + k) % FaultScenario.ROOMS);
                byte[] value = (byte[]) kinds.get(k)[0];
                poison.computeIfAbsent(before, i -> new ArrayList<>())
                        .add(new ProducerRecord<>(Topics.NOTIFICATIONS, key, value));
                s.expectedNotificationDeadLetters.put(new String(value, StandardCharsets.UTF_8), (String) kinds.get(k)[1]);
            }
        }
        s.streamToKafka(s.plan, poison);
        s.finish(null);
    }

    /** Notifications per scenario of issue #14's scenarios (8 onwards): enough for the fault to land mid-stream. */
    private static final int SHORT = Integer.getInteger("herald.fault.short-notifications", 1000);
    private static final Duration SILENCE = HeraldStack.seconds("herald.fault.silence", 30);

    @Test
    @Order(10)
    void waitsOfZeroAndOfYearsThenAReplayInOrder() throws Exception {
        FaultScenario s = new FaultScenario(stack, "s8", "8 429 with Retry-After 0, -1, 10^23 s and year 2999 for "
                + RATE_LIMITED.toSeconds() + " s; dead letters replayed", SHORT).setUp();
        NotificationStream stream = s.streamOverHttp(s.plan);
        s.awaitMidStream(stream);
        Instant from = Instant.now();
        stack.homeserver.rateLimitWith(List.of("0", "99999999999999999999999", "-1", "Tue, 01 Jan 2999 00:00:00 GMT"));
        FaultScenario.hold(from, RATE_LIMITED);
        stack.homeserver.rateLimitWith(null);
        s.finish(Instant.now());
        assertThat(stack.homeserver.requestLog().stream().filter(r -> r.roomId().startsWith("!s8-") && r.status() == 429))
                .as("sends answered 429").isNotEmpty();

        // The bot was let into the forbidden room: its dead letters, replayed, arrive in the order they were accepted.
        stack.homeserver.allow(s.matrixRoomId(FaultScenario.ROOMS));
        Instant replay = Instant.now();
        given().post(stack.dispatcher().url() + "/v1/dead-letters/replay?room=" + s.roomKey(FaultScenario.ROOMS))
                .then().statusCode(202);
        List<String> expected = s.forbiddenMarkers();
        await().atMost(FaultScenario.DRAIN_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> s.markersIn(FaultScenario.ROOMS).size() >= expected.size());
        String line = String.format(java.util.Locale.ROOT, "8 (replay) %d dead letters replayed in order in %.1f s%n",
                expected.size(), Duration.between(replay, Instant.now()).toMillis() / 1000.0);
        Files.writeString(FaultScenario.SUMMARY, line, java.nio.file.StandardOpenOption.APPEND);
        assertThat(s.markersIn(FaultScenario.ROOMS)).as("replayed in acceptance order").isEqualTo(expected);
    }

    @Test
    @Order(11)
    void flakyProxyInFrontOfTheHomeserver() throws Exception {
        FaultScenario s = new FaultScenario(stack, "s9", "9 a third of sends 502 (HTML), one in ten reset, whole scenario",
                SHORT).setUp();
        stack.homeserver.flaky(0.33, 0.1);
        try {
            s.streamOverHttp(s.plan);
            s.finish(null);
        } finally {
            stack.homeserver.flaky(0, 0);
        }
        Map<Integer, Long> byStatus = stack.homeserver.requestLog().stream().filter(r -> r.roomId().startsWith("!s9-"))
                .collect(java.util.stream.Collectors.groupingBy(FakeHomeserver.Request::status,
                        java.util.stream.Collectors.counting()));
        assertThat(byStatus).as("502 pages and reset connections").containsKeys(502, 0);
    }

    @Test
    @Order(12)
    void aNeverAnsweringHomeserverBesideAHealthyOne() throws Exception {
        try (FakeHomeserver silent = new FakeHomeserver().recordingRequests()) {
            String account = "fault-silent";
            stack.createAccount(account, silent, "syt_silent", null);
            FaultScenario s = new FaultScenario(stack, "s10", "10 a homeserver that never answers (4 of 16 rooms) for "
                    + SILENCE.toSeconds() + " s beside a healthy one", SHORT);
            for (int k = 0; k < 4; k++) {
                s.onAccount(k, account, silent);
            }
            s.setUp();
            silent.silence(true);
            Instant from = Instant.now();
            NotificationStream stream = s.streamOverHttp(s.plan);
            s.awaitMidStream(stream);
            FaultScenario.hold(from, SILENCE);
            int healthyDuringSilence = s.events().size();
            silent.silence(false);
            s.detail("%d events in the healthy rooms while the other homeserver was silent", healthyDuringSilence);
            s.finish(Instant.now());
            assertThat(silent.requests()).as("requests the silent homeserver got").isPositive();
        }
    }

    @Test
    @Order(13)
    void badRowsAndUnusableAnswers() throws Exception {
        FaultScenario s = new FaultScenario(stack, "s11", "11 ids of 300 characters and with NUL on herald.notifications, "
                + "unusable event ids, a NUL in an error", SHORT).setUp();
        s.unusableEventIdRooms.add(5);
        stack.homeserver.unusableEventIds(s.matrixRoomId(5));
        Map<Integer, List<ProducerRecord<String, byte[]>>> poison = new HashMap<>();
        String event = "\"event\":{\"type\":\"m.room.message\",\"sender\":\"" + HeraldStack.SENDER
                + "\",\"content\":{\"msgtype\":\"m.text\",\"body\":\"bad row\"}}";
        List<String[]> bad = List.of(
                new String[] {"{\"id\":\"" + "L".repeat(300) + "\",\"room\":\"" + s.roomKey(1) + "\"," + event + "}", "id"},
                new String[] {"{\"id\":\"bad\\u0000id\",\"room\":\"" + s.roomKey(2) + "\"," + event + "}", "id"});
        for (int i = 0; i < bad.size(); i++) {
            byte[] value = bad.get(i)[0].getBytes(StandardCharsets.UTF_8);
            poison.computeIfAbsent((i + 1) * s.plan.size() / 3, k -> new ArrayList<>())
                    .add(new ProducerRecord<>(Topics.NOTIFICATIONS, s.roomKey(i + 1), value));
            s.expectedNotificationDeadLetters.put(bad.get(i)[0], bad.get(i)[1]);
        }
        s.streamToKafka(s.plan, poison);
        s.finish(null);
    }

    @Test
    @Order(14)
    void aRebalanceWithParkedWork() throws Exception {
        FaultScenario s = new FaultScenario(stack, "s12", "12 two dispatchers with parked work, a third joins and leaves",
                SHORT).setUp();
        s.pushesExactlyOnce = true;
        ServiceProcess second = stack.startDispatcher();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> activeMembers("herald-dispatcher") == 2);
        NotificationStream stream = s.streamOverHttp(s.plan);
        s.awaitMidStream(stream);
        Instant down = Instant.now();
        stack.homeserver.down();
        ServiceProcess third = stack.startDispatcher();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> activeMembers("herald-dispatcher") == 3);
        FaultScenario.hold(down, Duration.ofSeconds(15));
        long parked = stack.parked();
        stack.homeserver.up();
        Instant back = Instant.now();
        // The third leaves while the parked deliveries drain.
        stack.stopDispatcher(third);
        s.detail("%d deliveries parked when the homeserver came back", parked);
        s.finish(back);
        stack.stopDispatcher(second);
        assertThat(parked).as("deliveries parked during the outage").isPositive();
    }

    @Test
    @Order(15)
    void reloginWhileLoginsAreRateLimited() throws Exception {
        String account = "fault-relogin";
        stack.createAccount(account, stack.homeserver, "syt_relogin_old", "fault-password");
        FaultScenario s = new FaultScenario(stack, "s13", "13 token expired mid-stream, logins answered 429 for 5 s",
                SHORT);
        for (int k = 0; k <= FaultScenario.ROOMS; k++) {
            s.onAccount(k, account, stack.homeserver);
        }
        s.setUp();
        long loginsBefore = stack.homeserver.logins();
        NotificationStream stream = s.streamOverHttp(s.plan);
        s.awaitMidStream(stream);
        Instant expired = Instant.now();
        stack.homeserver.limitLogins(expired.plusSeconds(5));
        stack.homeserver.expire("syt_relogin_old");
        FaultScenario.hold(expired, Duration.ofSeconds(5));
        s.finish(Instant.now());
        long logins = stack.homeserver.logins() - loginsBefore;
        s.detail("%d logins", logins);
        assertThat(logins).as("logins: one at a time, retried while rate limited, never one per delivery")
                .isBetween(2L, 40L);
    }

    /**
     * After the suite's traffic (every scenario's faults): no service logged a secret it was given or was sent, and
     * every metric docs/operations.md documents is in the services' scrapes.
     */
    @Test
    @Order(16)
    void theLogsHoldNoSecretAndEveryDocumentedMetricIsScraped() throws Exception {
        List<String> secrets = new ArrayList<>(List.of(AdminToken.TOKEN, stack.apiKey, "syt_fault", "syt_silent",
                "syt_relogin_old", "syt_login_", "fault-password", HeraldStack.SECRETS_KEY,
                io.herald.testsupport.KafkaUsers.password(io.herald.testsupport.KafkaUsers.INGEST),
                io.herald.testsupport.KafkaUsers.password(io.herald.testsupport.KafkaUsers.RULES),
                io.herald.testsupport.KafkaUsers.password(io.herald.testsupport.KafkaUsers.DISPATCHER)));
        for (String service : List.of("ingest", "rules", "dispatcher")) {
            secrets.add(io.herald.testsupport.EmbeddedPostgres.datasourceOf(service).get("quarkus.datasource.password"));
        }
        java.nio.file.Path logs = ServiceProcess.repoRoot().resolve("e2e-tests/target/service-logs");
        List<java.nio.file.Path> files;
        try (var list = Files.list(logs)) {
            files = list.filter(f -> f.getFileName().toString().startsWith("fault-")).toList();
        }
        assertThat(files).as("the suite's service logs").hasSizeGreaterThanOrEqualTo(3);
        List<String> found = new ArrayList<>();
        for (java.nio.file.Path file : files) {
            String text = Files.readString(file);
            secrets.stream().filter(text::contains).forEach(secret -> found.add(file.getFileName() + " contains "
                    + secret.substring(0, Math.min(6, secret.length())) + "…"));
        }
        assertThat(found).as("secrets in the logs").isEmpty();

        List<io.herald.testsupport.Scrape> scrapes = new ArrayList<>();
        for (ServiceProcess service : List.of(stack.ingest, stack.rules, stack.dispatcher())) {
            scrapes.add(io.herald.testsupport.Scrape.of(service.managementUrl() + "/q/metrics"));
        }
        List<String> documented = documentedMetrics();
        assertThat(documented).hasSizeGreaterThan(25);
        assertThat(documented.stream().filter(m -> scrapes.stream().noneMatch(scrape -> scrape.has(m))).toList())
                .as("metrics of docs/operations.md missing from the scrapes of ingest, rules and dispatcher").isEmpty();
    }

    /** The metric names in docs/operations.md's "Metrics" section (in backticks). */
    private static List<String> documentedMetrics() throws java.io.IOException {
        String doc = Files.readString(ServiceProcess.repoRoot().resolve("docs/operations.md"));
        int from = doc.indexOf("\n## Metrics");
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("`((?:herald|cache|http_server|jvm|process|kafka)_[a-z0-9_]+)[^`]*`")
                .matcher(doc.substring(from, doc.indexOf("\n## ", from + 1)));
        java.util.Set<String> names = new java.util.TreeSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return List.copyOf(names);
    }

    /** Members of a consumer group that own at least one partition. */
    private static long activeMembers(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.broker.bootstrapServers()))) {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(30, TimeUnit.SECONDS);
            return d.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
        }
    }

    /** Sum of a Prometheus counter over its labels, from a service's /q/metrics. */
    private static double metric(ServiceProcess service, String name) {
        return given().get(service.managementUrl() + "/q/metrics").asString().lines()
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}

package io.herald.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.Topics;
import io.herald.testsupport.KafkaRecords;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.assertj.core.api.SoftAssertions;

/**
 * One scenario of the fault suite: its own rooms (so its assertions never see another scenario's traffic), the
 * notifications it streams, and the checks that every accepted notification arrived exactly once in its room (in
 * order), every push was sent at least once and logged once, and the dead-letter store holds exactly what it should.
 *
 * <p>Each room is linked to a Matrix room on the fake homeserver and has one member with a pusher on the fake push
 * gateway. One notification in {@value #FORBIDDEN_EVERY} goes to an extra room whose Matrix room refuses the bot (403
 * {@code M_FORBIDDEN}): exactly those deliveries must end in the dead-letter store.
 */
final class FaultScenario {

    static final int NOTIFICATIONS = Integer.getInteger("herald.fault.notifications", 1000);
    static final double RATE = Double.parseDouble(System.getProperty("herald.fault.rate", "200"));
    static final int ROOMS = 16;
    static final int FORBIDDEN_EVERY = 100;
    static final Duration DRAIN_TIMEOUT = HeraldStack.seconds("herald.fault.drain-timeout", 300);
    static final Path SUMMARY = ServiceProcess.repoRoot().resolve("e2e-tests/target/fault-suite.txt");
    static final Path DETAILS = ServiceProcess.repoRoot().resolve("e2e-tests/target/fault-suite-details.txt");
    private static final Pattern MARKER = Pattern.compile("#([^#\\s]+)#");
    private static final String APP_ID = "io.herald.fault";

    final String id;
    final String title;
    private final HeraldStack stack;
    final List<NotificationStream.Planned> plan = new ArrayList<>();
    private final List<NotificationStream> streams = new ArrayList<>();
    /** Rooms whose member's pushkey the gateway rejects: no push is expected for them. */
    final Set<Integer> rejectedRooms = new HashSet<>();
    /** Records this scenario expects on {@code herald.notifications.dlq}: value → a part of the reason. */
    final Map<String, String> expectedNotificationDeadLetters = new LinkedHashMap<>();
    boolean checkOrder = true;
    /** Check that no push was sent twice (true where nothing may make a push go out again, e.g. a clean rebalance). */
    boolean pushesExactlyOnce;
    /** Rooms whose homeserver answers event ids no one can store: their log entries have none. */
    final Set<Integer> unusableEventIdRooms = new HashSet<>();
    /** Rooms posted into as another account, on another homeserver (default: {@link HeraldStack#ACCOUNT}). */
    private final Map<Integer, String> accounts = new HashMap<>();
    private final Map<Integer, FakeHomeserver> homeservers = new HashMap<>();
    private final StringBuilder details = new StringBuilder();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final Instant created = Instant.now();

    FaultScenario(HeraldStack stack, String id, String title) {
        this(stack, id, title, NOTIFICATIONS);
    }

    FaultScenario(HeraldStack stack, String id, String title, int notifications) {
        this.stack = stack;
        this.id = id;
        this.title = title;
        for (int i = 0; i < notifications; i++) {
            int room = i % FORBIDDEN_EVERY == FORBIDDEN_EVERY - 1 ? ROOMS : i % ROOMS;
            plan.add(new NotificationStream.Planned(i, id + "-" + i, roomKey(room)));
        }
    }

    String roomKey(int k) {
        return k == ROOMS ? id + "-forbidden" : id + "-r" + k;
    }

    String matrixRoomId(int k) {
        return "!" + roomKey(k) + ":fault.test";
    }

    String user(int k) {
        return "@" + roomKey(k) + "-member:fault.test";
    }

    String pushkey(int k) {
        return roomKey(k) + "-pushkey";
    }

    private int roomIndex(String roomKey) {
        return roomKey.equals(roomKey(ROOMS)) ? ROOMS : Integer.parseInt(roomKey.substring((id + "-r").length()));
    }

    /** Room {@code k} is posted into as {@code account}, whose homeserver is {@code homeserver}. Before {@link #setUp}. */
    FaultScenario onAccount(int k, String account, FakeHomeserver homeserver) {
        accounts.put(k, account);
        homeservers.put(k, homeserver);
        return this;
    }

    private String account(int k) {
        return accounts.getOrDefault(k, HeraldStack.ACCOUNT);
    }

    /** Every homeserver this scenario's rooms live on. */
    private Set<FakeHomeserver> homeservers() {
        Set<FakeHomeserver> all = new HashSet<>(homeservers.values());
        all.add(stack.homeserver);
        return all;
    }

    /** Events of all the scenario's homeservers, by room id and txnId. */
    private Map<String, FakeHomeserver.Event> allEventsByTxn() {
        Map<String, FakeHomeserver.Event> all = new HashMap<>();
        homeservers().forEach(h -> all.putAll(h.eventsByTxn()));
        return all;
    }

    /** Creates the rooms, their members and pushers through the rules-service API; refuses the forbidden room. */
    FaultScenario setUp() throws Exception {
        stack.ensureRunning();
        String rules = stack.rules.url();
        Instant start = Instant.now();
        java.util.stream.IntStream.rangeClosed(0, ROOMS).parallel().forEach(k -> {
            given().contentType("application/json")
                    .body(Map.of("matrix_room_id", matrixRoomId(k), "account", account(k)))
                    .put(rules + "/v1/rooms/" + roomKey(k)).then().statusCode(201);
            given().contentType("application/json").body(Map.of("display_name", "member " + k))
                    .put(rules + "/v1/rooms/" + roomKey(k) + "/members/" + user(k)).then().statusCode(201);
            given().contentType("application/json").body(Map.of("kind", "http", "app_id", APP_ID,
                    "pushkey", pushkey(k), "app_display_name", "Fault suite", "device_display_name", "device " + k,
                    "lang", "en", "data", Map.of("url", stack.gateway.notifyUrl())))
                    .post(rules + "/v1/users/" + user(k) + "/pushers/set").then().statusCode(200);
        });
        homeservers.getOrDefault(ROOMS, stack.homeserver).forbid(matrixRoomId(ROOMS));
        detail("set up in %d ms", Duration.between(start, Instant.now()).toMillis());
        return this;
    }

    NotificationStream streamOverHttp(List<NotificationStream.Planned> part) {
        NotificationStream s = NotificationStream.overHttp(stack.ingest.url(), stack.apiKey, part, RATE,
                DRAIN_TIMEOUT);
        streams.add(s);
        return s;
    }

    NotificationStream streamToKafka(List<NotificationStream.Planned> part,
            Map<Integer, List<ProducerRecord<String, byte[]>>> insertBefore) {
        NotificationStream s = NotificationStream.toKafka(stack.broker.bootstrapServers(), Topics.NOTIFICATIONS, part,
                RATE, HeraldStack.SENDER, insertBefore);
        streams.add(s);
        return s;
    }

    /** Events the homeserver created in this scenario's rooms. */
    List<FakeHomeserver.Event> events() {
        String prefix = "!" + id + "-";
        return allEventsByTxn().values().stream().filter(e -> e.roomId().startsWith(prefix)).toList();
    }

    /**
     * Waits until a quarter of the stream was accepted and an eighth delivered (so the pipeline is flowing), and
     * checks the stream is not over: the fault that follows lands mid-stream.
     */
    void awaitMidStream(NotificationStream s) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> stack.running() && s.accepted().size() >= s.size() / 4 && events().size() >= s.size() / 8);
        if (s.isDone()) {
            throw new AssertionError(id + ": the stream ended before the fault; lower herald.fault.rate");
        }
        detail("fault injected with %d of %d accepted, %d delivered", s.accepted().size(), s.size(), events().size());
    }

    void detail(String format, Object... args) {
        details.append(String.format(Locale.ROOT, format, args)).append("; ");
    }

    private String roomTxnKey(int room, String notificationId) {
        return matrixRoomId(room) + "/" + roomDelivery(room, notificationId).txnId();
    }

    private Delivery roomDelivery(int room, String notificationId) {
        Destination d = Destination.room(account(room), matrixRoomId(room));
        return new Delivery(Delivery.idFor(notificationId, d), notificationId, roomKey(room), d, null, null, null, 0,
                null, null);
    }

    /** The notification id ingest answered (or the producer chose) for a marker. */
    String acceptedId(String marker) {
        return streams.stream().map(st -> st.accepted().get(marker)).filter(java.util.Objects::nonNull).findFirst()
                .orElseThrow(() -> new AssertionError("not accepted: " + marker));
    }

    String pushDeliveryIdFor(int room, String notificationId) {
        return pushDeliveryId(room, notificationId);
    }

    private String pushDeliveryId(int room, String notificationId) {
        return Delivery.idFor(notificationId, Destination.pusher(new Destination.Pusher(stack.gateway.notifyUrl(), APP_ID,
                pushkey(room), null, null, null)));
    }

    static String marker(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = MARKER.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static String bodyOf(FakeHomeserver.Event e) {
        try {
            return Json.MAPPER.readTree(e.body()).path("body").asText(null);
        } catch (IOException notJson) {
            return e.body();
        }
    }

    /** pushkey|marker of every push the gateway accepted (200, not rejected). */
    private Set<String> pushesReceived() {
        return stack.gateway.pushes().stream().filter(p -> p.status() == 200 && !p.rejected())
                .map(p -> p.pushkey() + "|" + marker(p.body())).collect(Collectors.toSet());
    }

    /** The dead-letter store's entries for this scenario's rooms: delivery id → reason. */
    Map<String, String> deadLetters() {
        JsonNode list = Json.decode(given().get(stack.dispatcher().url() + "/v1/dead-letters?limit=1000")
                .then().statusCode(200).extract().asString(), JsonNode.class);
        Map<String, String> out = new HashMap<>();
        for (JsonNode d : list.get("dead_letters")) {
            if (d.path("room").asText("").startsWith(id + "-")) {
                out.put(d.get("delivery_id").asText(), d.path("reason").asText());
            }
        }
        return out;
    }

    /**
     * Waits for every stream to end and for everything expected to arrive (time to drain: from the later of the
     * stream's end and {@code faultEnded}), then for the pipeline to be idle (nothing left to redeliver), and checks.
     * Writes the scenario's summary line before asserting, so a failing scenario still reports its numbers.
     */
    void finish(Instant faultEnded) throws Exception {
        Instant streamEnd = Instant.EPOCH;
        Map<String, String> accepted = new HashMap<>();
        List<String> failures = new ArrayList<>();
        int unavailable = 0;
        int connectionErrors = 0;
        int attempts = 0;
        for (NotificationStream s : streams) {
            Instant end = s.await(DRAIN_TIMEOUT);
            streamEnd = end.isAfter(streamEnd) ? end : streamEnd;
            accepted.putAll(s.accepted());
            failures.addAll(s.failures());
            unavailable += s.unavailable();
            connectionErrors += s.connectionErrors();
            attempts += s.attempts();
        }
        Instant streamed = Instant.now();
        Instant drainFrom = faultEnded != null && faultEnded.isAfter(streamEnd) ? faultEnded : streamEnd;

        // What must happen, from what was accepted.
        Map<String, String> expectedEvents = new HashMap<>(); // roomId/txnId → marker
        Map<String, String> expectedDead = new HashMap<>(); // delivery id → marker
        Map<String, String> expectedPushes = new HashMap<>(); // pushkey|marker → push delivery id
        Map<String, List<String>> orderByRoom = new HashMap<>(); // matrix room id → markers in order
        Map<String, String> roomDeliveryIds = new HashMap<>(); // delivery id → roomId/txnId
        for (NotificationStream.Planned p : plan) {
            String notificationId = accepted.get(p.marker());
            if (notificationId == null) {
                continue;
            }
            int room = roomIndex(p.room());
            if (room == ROOMS) {
                expectedDead.put(roomDelivery(room, notificationId).id(), p.marker());
            } else {
                expectedEvents.put(roomTxnKey(room, notificationId), p.marker());
                roomDeliveryIds.put(roomDelivery(room, notificationId).id(), roomTxnKey(room, notificationId));
                orderByRoom.computeIfAbsent(matrixRoomId(room), r -> new ArrayList<>()).add(p.marker());
            }
            if (!rejectedRooms.contains(room)) {
                expectedPushes.put(pushkey(room) + "|" + p.marker(), pushDeliveryId(room, notificationId));
            }
        }

        Instant drained = null;
        String drainProblem = null;
        try {
            await().atMost(DRAIN_TIMEOUT).pollInterval(Duration.ofMillis(500)).ignoreExceptionsMatching(
                    e -> !(e instanceof IllegalStateException)).until(() -> stack.running()
                            && allEventsByTxn().keySet().containsAll(expectedEvents.keySet())
                            && pushesReceived().containsAll(expectedPushes.keySet())
                            && deadLetters().keySet().containsAll(expectedDead.keySet()));
            drained = Instant.now();
            detail("drained %d ms after the stream's end", Duration.between(streamed, drained).toMillis());
            // Nothing in flight any more: no redelivery can add a duplicate after the checks.
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> stack.backlog() == 0);
            detail("idle %d ms later", Duration.between(drained, Instant.now()).toMillis());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            drainProblem = e.getMessage();
        }

        // Measure.
        List<FakeHomeserver.Event> events = events();
        Map<String, Long> eventsPerMarker = events.stream().map(e -> String.valueOf(marker(bodyOf(e))))
                .collect(Collectors.groupingBy(m -> m, Collectors.counting()));
        Set<String> expectedMarkers = new HashSet<>(expectedEvents.values());
        long delivered = expectedMarkers.stream().filter(eventsPerMarker::containsKey).count();
        long duplicates = events.size() - eventsPerMarker.keySet().stream().filter(expectedMarkers::contains).count();
        Map<String, String> deadLetters = deadLetters();
        double drainSeconds = drained == null ? Double.NaN : Math.max(0, Duration.between(drainFrom, drained).toMillis()) / 1000.0;
        String line = String.format(Locale.ROOT, "%s | %d | %d | %d | %d | %s", title, accepted.size(), delivered,
                duplicates, deadLetters.size(), drained == null ? "not drained" : String.format(Locale.ROOT, "%.1f s", drainSeconds));
        System.out.println(line);
        Files.writeString(SUMMARY, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        String prefix = "!" + id + "-";
        List<FakeHomeserver.Request> requests = homeservers().stream().flatMap(h -> h.requestLog().stream())
                .filter(r -> r.roomId().startsWith(prefix)).toList();
        detail("client: %d requests, %d answered 503, %d connection errors", attempts, unavailable, connectionErrors);
        detail("homeserver: %d send requests (%s)", requests.size(), requests.stream()
                .collect(Collectors.groupingBy(FakeHomeserver.Request::status, java.util.TreeMap::new, Collectors.counting())));
        long pushRequests = stack.gateway.pushes().stream().filter(p -> p.pushkey() != null && p.pushkey().startsWith(id + "-"))
                .count();
        detail("gateway: %d push requests for %d expected pushes", pushRequests, expectedPushes.size());
        Files.writeString(DETAILS, title + ": " + details + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);

        // Check.
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(failures).as("notifications the client could not get accepted").isEmpty();
        softly.assertThat(accepted).as("accepted notifications").hasSize(plan.size());
        softly.assertThat(drainProblem).as("drained within " + DRAIN_TIMEOUT).isNull();
        Set<String> missing = new HashSet<>(expectedEvents.keySet());
        missing.removeAll(allEventsByTxn().keySet());
        softly.assertThat(missing).as("notifications missing from their room").isEmpty();
        softly.assertThat(duplicates).as("notifications posted more than once (as different events)").isZero();
        softly.assertThat(events.stream().map(e -> e.roomId() + "/" + e.txnId()).collect(Collectors.toSet()))
                .as("events in the scenario's rooms, by txnId").isEqualTo(expectedEvents.keySet());
        Map<String, Set<String>> eventIdsPerTxn = requests.stream().filter(r -> r.eventId() != null).collect(
                Collectors.groupingBy(r -> r.roomId() + "/" + r.txnId(), Collectors.mapping(
                        FakeHomeserver.Request::eventId, Collectors.toSet())));
        softly.assertThat(eventIdsPerTxn.values().stream().filter(s -> s.size() > 1).count())
                .as("txnIds answered with two different event ids").isZero();
        if (checkOrder) {
            for (Map.Entry<String, List<String>> room : orderByRoom.entrySet()) {
                List<String> arrived = events.stream().filter(e -> e.roomId().equals(room.getKey()))
                        .sorted(Comparator.comparingLong(FakeHomeserver.Event::receivedNanos))
                        .map(e -> marker(bodyOf(e))).toList();
                softly.assertThat(arrived).as("order in " + room.getKey()).isEqualTo(room.getValue());
            }
        }
        Set<String> pushes = pushesReceived();
        softly.assertThat(expectedPushes.keySet().stream().filter(k -> !pushes.contains(k)).toList())
                .as("pushes never sent").isEmpty();
        if (pushesExactlyOnce) {
            softly.assertThat(pushCounts().entrySet().stream().filter(c -> c.getValue() > 1).map(Map.Entry::getKey).toList())
                    .as("pushes sent more than once").isEmpty();
        }

        Instant checking = Instant.now();
        // The delivery log: each delivery once, with its outcome (a room delivery with the event the room shows).
        Map<String, FakeHomeserver.Event> eventsByKey = allEventsByTxn();
        Map<String, JsonNode> log = deliveryLog(new ArrayList<>(roomDeliveryIds.keySet()));
        List<String> wrongRoomLog = new ArrayList<>();
        Set<String> unusable = unusableEventIdRooms.stream().map(this::matrixRoomId).collect(Collectors.toSet());
        roomDeliveryIds.forEach((deliveryId, key) -> {
            JsonNode entry = log.get(deliveryId);
            FakeHomeserver.Event e = eventsByKey.get(key);
            // An event id the homeserver made too long to be one is dropped (the delivery still counts).
            String expectedEventId = e == null ? null : unusable.contains(e.roomId()) ? null : e.eventId();
            if (entry == null || !"delivered".equals(entry.path("state").asText()) || e == null
                    || !java.util.Objects.equals(expectedEventId, entry.path("matrix_event_id").asText(null))) {
                wrongRoomLog.add(deliveryId + " " + entry);
            }
        });
        softly.assertThat(wrongRoomLog).as("room deliveries not logged as delivered with the room's event id").isEmpty();
        Map<String, JsonNode> pushLog = deliveryLog(new ArrayList<>(expectedPushes.values()));
        softly.assertThat(expectedPushes.values().stream()
                .filter(d -> pushLog.get(d) == null || !"delivered".equals(pushLog.get(d).path("state").asText())).toList())
                .as("pushes not logged as delivered").isEmpty();

        long logMillis = Duration.between(checking, Instant.now()).toMillis();
        // The dead-letter store: exactly the deliveries into the room that refuses the bot, with the reason.
        softly.assertThat(deadLetters.keySet()).as("dead letters").isEqualTo(expectedDead.keySet());
        softly.assertThat(deadLetters.values()).as("dead-letter reasons (the homeserver's NUL made a space)")
                .allMatch(r -> r.contains("403 M_FORBIDDEN: User not in room") && !r.contains("\u0000"));
        Map<String, JsonNode> deadLog = deliveryLog(new ArrayList<>(expectedDead.keySet()));
        softly.assertThat(expectedDead.keySet().stream()
                .filter(d -> deadLog.get(d) == null || !"dead".equals(deadLog.get(d).path("state").asText())).toList())
                .as("dead letters not logged as dead").isEmpty();

        // herald.notifications.dlq: nothing of this scenario's rooms but what it wrote there on purpose.
        Set<String> keys = new HashSet<>();
        for (int k = 0; k <= ROOMS; k++) {
            keys.add(roomKey(k));
        }
        List<ConsumerRecord<String, String>> dlq = KafkaRecords.readAll(stack.broker.bootstrapServers(),
                Topics.NOTIFICATIONS_DLQ, r -> keys.contains(r.key()));
        Map<String, String> dlqReasons = new HashMap<>();
        dlq.forEach(r -> dlqReasons.put(r.value(), KafkaRecords.header(r, "dead-letter-reason")));
        softly.assertThat(dlq).as("records of herald.notifications.dlq").hasSize(expectedNotificationDeadLetters.size());
        softly.assertThat(dlqReasons.keySet()).as("values on herald.notifications.dlq")
                .isEqualTo(expectedNotificationDeadLetters.keySet());
        expectedNotificationDeadLetters.forEach((value, reason) -> softly.assertThat(dlqReasons.get(value))
                .as("reason of " + value).isNotNull().contains(reason));
        Files.writeString(DETAILS, title + ": delivery log read in " + logMillis + " ms, scenario "
                + Duration.between(created, Instant.now()).toSeconds() + " s\n", StandardOpenOption.APPEND);
        softly.assertAll();
    }

    /** {@code GET /v1/deliveries/{id}} for each id (16 at a time): id → entry, absent when 404. */
    Map<String, JsonNode> deliveryLog(List<String> ids) throws Exception {
        String base = stack.dispatcher().url() + "/v1/deliveries/";
        Map<String, JsonNode> out = new ConcurrentHashMap<>();
        Semaphore slots = new Semaphore(16);
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (String deliveryId : ids) {
            slots.acquire();
            all.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + deliveryId))
                            .header("Authorization", "Bearer " + AdminToken.TOKEN).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).whenComplete((r, e) -> {
                        slots.release();
                        if (r != null && r.statusCode() == 200) {
                            out.put(deliveryId, Json.decode(r.body(), JsonNode.class));
                        }
                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        return out;
    }

    /** The markers of the forbidden room's notifications, in the order they were accepted. */
    List<String> forbiddenMarkers() {
        return plan.stream().filter(p -> p.room().equals(roomKey(ROOMS))).map(NotificationStream.Planned::marker).toList();
    }

    /** The markers of the events in room {@code k}, in the order the homeserver created them. */
    List<String> markersIn(int k) {
        return allEventsByTxn().values().stream().filter(e -> e.roomId().equals(matrixRoomId(k)))
                .sorted(Comparator.comparingLong(FakeHomeserver.Event::receivedNanos)).map(e -> marker(bodyOf(e))).toList();
    }

    /** The push requests the gateway got, as pushkey|marker, with how often each came. */
    Map<String, Long> pushCounts() {
        return stack.gateway.pushes().stream().filter(p -> p.pushkey() != null && p.pushkey().startsWith(id + "-"))
                .collect(Collectors.groupingBy(p -> p.pushkey() + "|" + marker(p.body()), Collectors.counting()));
    }

    /** Sleeps for the length of a fault (an outage the scenario asks for, not a wait for a condition). */
    static void hold(Instant from, Duration length) throws InterruptedException {
        long ms = Duration.between(Instant.now(), from.plus(length)).toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }
}

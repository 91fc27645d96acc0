package io.herald.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.notNullValue;

import com.atlassian.oai.validator.model.Request;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.Topics;
import io.herald.testsupport.EmbeddedPostgres;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaUsers;
import io.herald.testsupport.MatrixSpec;
import io.herald.testsupport.SecuredEmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline: ingest, rules and dispatcher as packaged jars in their own processes, on one real broker and
 * one real PostgreSQL, with WireMock as the homeserver.
 */
class EndToEndTest {

    private static final String TOKEN = "syt_e2e_secret_token";
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static WireMockServer homeserver;
    private static ServiceProcess ingest;
    private static ServiceProcess rules;
    private static ServiceProcess dispatcher;
    private static String apiKey;
    private static TraceReceiver traces;

    @BeforeAll
    static void startEverything() throws Exception {
        homeserver = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        homeserver.start();
        homeserver.stubFor(put(urlPathMatching("/_matrix/client/v3/rooms/.*/send/m.room.message/.*"))
                .willReturn(okJson("{\"event_id\":\"$e2e\"}")));

        // Locked down as in production: each service authenticates to Kafka as its own KafkaUser (SASL/SCRAM, held to
        // the ACLs of kafka-users.yaml) and to PostgreSQL as its own role (its schema only).
        // ingest gets its credentials as environment variables, the way Compose and Kubernetes pass them.
        SecuredEmbeddedKafka kafka = SecuredEmbeddedKafka.get();
        AdminToken.sendByDefault();
        // Tracing on, every notification, to the receiver run.sh --observability uses (in its own process).
        traces = TraceReceiver.start();
        ingest = ServiceProcess.start("ingest-service", "ingest-service", Map.of(),
                environment(merge(kafka.quarkusConfig(KafkaUsers.INGEST), EmbeddedPostgres.datasourceOf("ingest"),
                        traces.serviceConfig())));
        rules = ServiceProcess.start("rules-service", merge(kafka.quarkusConfig(KafkaUsers.RULES),
                EmbeddedPostgres.datasourceOf("rules"), traces.serviceConfig()));
        dispatcher = ServiceProcess.start("dispatcher-service", merge(kafka.quarkusConfig(KafkaUsers.DISPATCHER),
                EmbeddedPostgres.datasourceOf("dispatcher"), traces.serviceConfig(), Map.of(
                        "herald.secrets.key", "ZTJlLXRlc3Qta2V5LTMyLWJ5dGVzLWxvbmctLS0tLS0=",
                        // the homeservers (WireMock, the dev sink) listen on loopback
                        "herald.dispatcher.outbound.homeserver-networks", "127.0.0.0/8",
                        // the push gateway too (WireMock)
                        "herald.dispatcher.outbound.allowed-networks", "127.0.0.0/8",
                        "herald.dev-sink.enabled", "true")));
        // Producers authenticate with an API key made through ingest's admin API.
        apiKey = given().contentType("application/json")
                .body("{\"tenant\":\"e2e\",\"sender\":\"@herald:localhost\",\"rooms\":[\"*\"]}")
                .post(ingest.url() + "/v1/admin/api-keys").then().statusCode(201).extract().path("key");
    }

    @AfterAll
    static void stopEverything() {
        for (AutoCloseable c : new AutoCloseable[] {ingest, rules, dispatcher, traces}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (homeserver != null) {
            homeserver.stop();
        }
    }

    @Test
    void aNotificationPostedOverHttpArrivesOnceInTheMatrixRoom() throws Exception {
        given().contentType("application/json")
                .body("{\"id\":\"bot\",\"homeserver\":\"" + homeserver.baseUrl() + "\",\"access_token\":\"" + TOKEN
                        + "\",\"user_id\":\"@bot:example.org\",\"device_id\":\"HERALDE2E\"}")
                .post(dispatcher.url() + "/v1/matrix-accounts").then().statusCode(201);
        given().contentType("application/json").body("{\"matrix_room_id\":\"!ops:example.org\",\"account\":\"bot\"}")
                .put(rules.url() + "/v1/rooms/e2e-ops").then().statusCode(201);

        String id = given().header("Authorization", "Bearer " + apiKey).contentType("application/json")
                .body("{\"subject\":\"Backup failed\",\"body\":\"NAS <nas1> could not reach the target\","
                        + "\"link\":\"https://nas1.local/backup\"}")
                .post(ingest.url() + "/v1/rooms/e2e-ops/notifications")
                .then().statusCode(202).body("id", notNullValue()).extract().path("id");

        String deliveryId = Delivery.idFor(id, Destination.room("bot", "!ops:example.org"));
        String path = "/_matrix/client/v3/rooms/%21ops%3Aexample.org/send/m.room.message/herald-" + deliveryId;
        await().atMost(WAIT).until(() -> !homeserver.findAll(putRequestedFor(urlPathMatching(".*" + deliveryId))).isEmpty());
        // Give a duplicate the chance to show up: wait until the dispatcher logged the delivery as done.
        await().atMost(WAIT).until(() -> given().get(dispatcher.url() + "/v1/deliveries/" + deliveryId).statusCode() == 200);

        List<LoggedRequest> requests = homeserver.findAll(putRequestedFor(urlPathMatching(".*" + deliveryId)));
        assertThat(requests).hasSize(1);
        LoggedRequest request = requests.get(0);
        assertThat(request.getUrl()).isEqualTo(path);
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(Json.decode(request.getBodyAsString(), Map.class)).isEqualTo(Map.of(
                "msgtype", "m.text",
                "body", "Backup failed\n\nNAS <nas1> could not reach the target\n\nhttps://nas1.local/backup",
                "format", "org.matrix.custom.html",
                "formatted_body", "<strong>Backup failed</strong><br><br>NAS &lt;nas1&gt; could not reach the target"
                        + "<br><br><a href=\"https://nas1.local/backup\">https://nas1.local/backup</a>"));
        assertThat(MatrixSpec.validateRequest(MatrixSpec.ROOM_SEND, Request.Method.PUT, request.getUrl(),
                Map.of("Authorization", request.getHeader("Authorization")), request.getBodyAsString()).getMessages())
                .isEmpty();

        for (ServiceProcess service : List.of(ingest, rules, dispatcher)) {
            assertThat(Files.readString(service.log)).as(service.name + " log").doesNotContain(TOKEN).doesNotContain(apiKey)
                    .doesNotContain(KafkaUsers.password(KafkaUsers.INGEST), KafkaUsers.password(KafkaUsers.RULES),
                            KafkaUsers.password(KafkaUsers.DISPATCHER));
        }
    }

    @Test
    void thePackagedServicesTakeTheAdminTokenFromTheEnvironmentAndRefuseOthers() {
        // ServiceProcess configures only the token's hash, as HERALD_AUTH_TOKENS_ADMIN_SHA256 (as Compose does)
        for (String url : List.of(ingest.url() + "/v1/admin/api-keys", rules.url() + "/v1/rooms",
                dispatcher.url() + "/v1/matrix-accounts")) {
            given().get(url).then().statusCode(200);
            given().header("Authorization", "Bearer hrldt_wrong").get(url).then().statusCode(401)
                    .header("WWW-Authenticate", org.hamcrest.Matchers.startsWith("Bearer"));
        }
    }

    @Test
    void outOfTheBoxDeliveriesCanBeSeenInTheDevSink() {
        given().contentType("application/json")
                .body("{\"id\":\"dev\",\"homeserver\":\"" + dispatcher.url() + "/dev/homeserver\",\"access_token\":\"dev\"}")
                .post(dispatcher.url() + "/v1/matrix-accounts").then().statusCode(201);
        given().contentType("application/json").body("{\"matrix_room_id\":\"!demo:localhost\",\"account\":\"dev\"}")
                .put(rules.url() + "/v1/rooms/demo").then().statusCode(201);

        given().header("Authorization", "Bearer " + apiKey).contentType("application/json")
                .body("{\"body\":\"hello from the dev sink\",\"silent\":true}")
                .post(ingest.url() + "/v1/rooms/demo/notifications").then().statusCode(202);

        await().atMost(WAIT).until(() -> given().get(dispatcher.url() + "/dev/sink").asString()
                .contains("hello from the dev sink"));
        given().get(dispatcher.url() + "/dev/sink").then()
                .body("find { it.content.body == 'hello from the dev sink' }.room_id",
                        org.hamcrest.Matchers.equalTo("!demo:localhost"))
                .body("find { it.content.body == 'hello from the dev sink' }.content.msgtype",
                        org.hamcrest.Matchers.equalTo("m.notice"));
    }

    @Test
    void aNotificationIsOneTraceAcrossTheServicesAndKafkaAndItsLogLinesCarryIt() throws Exception {
        given().contentType("application/json")
                .body("{\"id\":\"traced\",\"homeserver\":\"" + homeserver.baseUrl() + "\",\"access_token\":\"syt_traced\","
                        + "\"user_id\":\"@bot:example.org\",\"device_id\":\"HERALDTRACE\"}")
                .post(dispatcher.url() + "/v1/matrix-accounts").then().statusCode(201);
        given().contentType("application/json").body("{\"matrix_room_id\":\"!traced:example.org\",\"account\":\"traced\"}")
                .put(rules.url() + "/v1/rooms/traced").then().statusCode(201);
        String id = notify("traced", "Traced", "from intake to the homeserver");
        String deliveryId = Delivery.idFor(id, Destination.room("traced", "!traced:example.org"));
        String send = "PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}";
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> traces.spans().stream().anyMatch(s ->
                s.path("name").asText().equals("process herald.deliveries") && attribute(s, "herald.delivery.id").equals(deliveryId)));

        List<JsonNode> spans = traces.spans();
        JsonNode request = one(spans, "POST /v1/rooms/{room}/notifications", "herald.notification.id", id);
        String trace = request.path("trace_id").asText();
        List<JsonNode> ours = spans.stream().filter(s -> s.path("trace_id").asText().equals(trace)).toList();
        JsonNode planned = one(ours, "process herald.notifications", "herald.notification.id", id);
        JsonNode delivered = one(ours, "process herald.deliveries", "herald.delivery.id", deliveryId);
        JsonNode put = one(ours, send, "herald.delivery.id", deliveryId);
        assertThat(ours).as("one span per hop: no producer spans").hasSize(4);

        assertThat(request.path("kind").asText()).isEqualTo("server");
        assertThat(request.path("service").asText()).isEqualTo("herald-ingest");
        assertThat(request.path("parent_span_id").asText()).isEmpty();
        assertThat(attribute(request, "herald.room")).isEqualTo("traced");
        assertThat(attribute(request, "http.response.status_code")).isEqualTo("202");
        // across Kafka: each consumer's span is the child of the span that wrote the record it read
        assertThat(planned.path("parent_span_id").asText()).isEqualTo(request.path("span_id").asText());
        assertThat(planned.path("service").asText()).isEqualTo("herald-rules");
        assertThat(planned.path("kind").asText()).isEqualTo("consumer");
        assertThat(attribute(planned, "herald.room")).isEqualTo("traced");
        assertThat(attribute(planned, "herald.fanout")).isEqualTo("1");
        assertThat(delivered.path("parent_span_id").asText()).isEqualTo(planned.path("span_id").asText());
        assertThat(delivered.path("service").asText()).isEqualTo("herald-dispatcher");
        assertThat(attribute(delivered, "herald.notification.id")).isEqualTo(id);
        assertThat(attribute(delivered, "herald.room")).isEqualTo("traced");
        assertThat(attribute(delivered, "herald.outcome")).isEqualTo("delivered");
        assertThat(put.path("parent_span_id").asText()).isEqualTo(delivered.path("span_id").asText());
        assertThat(put.path("kind").asText()).isEqualTo("client");
        assertThat(attribute(put, "http.response.status_code")).isEqualTo("200");

        // A caller that decided against tracing its request: delivered, and not a span of it anywhere
        String untraced = given().header("Authorization", "Bearer " + apiKey)
                .header("traceparent", "00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
                .contentType("application/json").body(Map.of("body", "not traced")).post(ingest.url()
                        + "/v1/rooms/traced/notifications").then().statusCode(202).extract().path("id");
        String after = notify("traced", "After", "the room's next notification");
        String afterDelivery = Delivery.idFor(after, Destination.room("traced", "!traced:example.org"));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> traces.spans().stream().anyMatch(s ->
                s.path("name").asText().equals(send) && attribute(s, "herald.delivery.id").equals(afterDelivery)));
        assertThat(traces.spans()).as("spans of the notification its caller did not trace")
                .noneMatch(s -> attribute(s, "herald.notification.id").equals(untraced)
                        || s.path("trace_id").asText().equals("5bf92f3577b34da6a3ce929d0e0e4736"));

        // A caller that traces its own request: the notification continues the caller's trace
        String callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        String continued = given().header("Authorization", "Bearer " + apiKey)
                .header("traceparent", "00-" + callerTrace + "-00f067aa0ba902b7-01").contentType("application/json")
                .body(Map.of("body", "traced by its caller")).post(ingest.url() + "/v1/rooms/traced/notifications")
                .then().statusCode(202).extract().path("id");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> traces.spans().stream().anyMatch(s ->
                s.path("name").asText().equals("process herald.notifications")
                        && attribute(s, "herald.notification.id").equals(continued)));
        JsonNode callerRequest = traces.spans().stream().filter(s -> s.path("trace_id").asText().equals(callerTrace)
                && s.path("kind").asText().equals("server")).findFirst().orElseThrow();
        assertThat(callerRequest.path("parent_span_id").asText()).isEqualTo("00f067aa0ba902b7");

        // A delivery that fails: its log line (JSON, as in production) carries the ids and this trace's id.
        given().contentType("application/json").body("{\"matrix_room_id\":\"!ghost:example.org\",\"account\":\"ghost\"}")
                .put(rules.url() + "/v1/rooms/ghost").then().statusCode(201);
        String lost = notify("ghost", "Lost", "to an account that does not exist");
        String lostDelivery = Delivery.idFor(lost, Destination.room("ghost", "!ghost:example.org"));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> logLine(dispatcher, lostDelivery) != null);
        JsonNode line = logLine(dispatcher, lostDelivery);
        assertThat(line.path("level").asText()).isEqualTo("WARN");
        assertThat(line.path("message").asText()).contains("dead letter");
        JsonNode mdc = line.path("mdc");
        assertThat(mdc.path("notification_id").asText()).isEqualTo(lost);
        assertThat(mdc.path("delivery_id").asText()).isEqualTo(lostDelivery);
        assertThat(mdc.path("room").asText()).isEqualTo("ghost");
        assertThat(mdc.path("destination").asText()).isEqualTo("room:ghost:!ghost:example.org");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> traces.spans().stream().anyMatch(s ->
                s.path("name").asText().equals("process herald.notifications") && attribute(s, "herald.notification.id").equals(lost)));
        assertThat(mdc.path("traceId").asText()).isEqualTo(one(traces.spans(), "process herald.notifications",
                "herald.notification.id", lost).path("trace_id").asText());
    }

    @Test
    void aMatrixEventIsOneTraceFromHeraldEventsToThePushGateway() throws Exception {
        homeserver.stubFor(post(urlPathEqualTo("/_matrix/push/v1/notify")).willReturn(okJson("{\"rejected\":[]}")));
        String run = UUID.randomUUID().toString().substring(0, 8);
        String room = "!pushed-" + run + ":example.org";
        String alice = "@alice-" + run + ":example.org";
        String bob = "@bob-" + run + ":example.org";
        given().contentType("application/json").body("{\"kind\":\"http\",\"app_id\":\"org.example.app\",\"pushkey\":\"key-"
                + run + "\",\"app_display_name\":\"App\",\"device_display_name\":\"Phone\",\"lang\":\"en\",\"data\":{\"url\":\""
                + homeserver.baseUrl() + "/_matrix/push/v1/notify\"}}")
                .post(rules.url() + "/v1/users/" + bob + "/pushers/set").then().statusCode(200);
        // A homeserver's module writes the room's events, the message with its own trace context (sampled)
        Map<String, Object> producer = SecuredEmbeddedKafka.get().clientSettings(KafkaUsers.PRODUCER);
        event(producer, room, "m.room.create", "", alice, Map.of("room_version", "11"), null);
        event(producer, room, "m.room.member", alice, alice, Map.of("membership", "join"), null);
        event(producer, room, "m.room.member", bob, bob, Map.of("membership", "join"), null);
        String moduleTrace = "7bf92f3577b34da6a3ce929d0e0e4736";
        String message = event(producer, room, "m.room.message", null, alice, Map.of("msgtype", "m.text", "body", "hi"),
                "00-" + moduleTrace + "-10f067aa0ba902b7-01");
        String push = "POST /_matrix/push/v1/notify";
        // the delivery's span ends after its request's, and may come in a later export
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> traces.spans().stream().filter(s ->
                s.path("trace_id").asText().equals(moduleTrace)).count() >= 3);

        List<JsonNode> ours = traces.spans().stream().filter(s -> s.path("trace_id").asText().equals(moduleTrace)).toList();
        JsonNode processed = one(ours, "process herald.events", "herald.notification.id", message);
        JsonNode delivered = one(ours, "process herald.deliveries", "herald.notification.id", message);
        JsonNode sent = one(ours, push, "herald.delivery.id", attribute(delivered, "herald.delivery.id"));
        assertThat(ours).as("the event's processing, its push's delivery and the gateway's request").hasSize(3);
        assertThat(processed.path("service").asText()).isEqualTo("herald-rules");
        assertThat(processed.path("kind").asText()).isEqualTo("consumer");
        assertThat(processed.path("parent_span_id").asText()).as("the module's span").isEqualTo("10f067aa0ba902b7");
        assertThat(attribute(processed, "herald.room")).isEqualTo(room);
        assertThat(attribute(processed, "herald.fanout")).isEqualTo("1");
        assertThat(attribute(processed, "messaging.destination.name")).isEqualTo("herald.events");
        assertThat(delivered.path("parent_span_id").asText()).isEqualTo(processed.path("span_id").asText());
        assertThat(delivered.path("service").asText()).isEqualTo("herald-dispatcher");
        assertThat(attribute(delivered, "herald.destination.kind")).isEqualTo("push");
        assertThat(attribute(delivered, "herald.room")).isEqualTo(room);
        assertThat(attribute(delivered, "herald.outcome")).isEqualTo("delivered");
        assertThat(sent.path("parent_span_id").asText()).isEqualTo(delivered.path("span_id").asText());
        assertThat(sent.path("kind").asText()).isEqualTo("client");
        assertThat(attribute(sent, "http.response.status_code")).isEqualTo("200");
        // the state events came without a context: each started a trace of its own (sampled at 1 here), no push
        JsonNode joined = traces.spans().stream().filter(s -> s.path("name").asText().equals("process herald.events")
                && attribute(s, "herald.room").equals(room) && !s.path("trace_id").asText().equals(moduleTrace))
                .findFirst().orElseThrow();
        assertThat(joined.path("parent_span_id").asText()).isEmpty();
        assertThat(attribute(joined, "herald.fanout")).isEqualTo("0");
    }

    /** Writes a Matrix event to herald.events as a homeserver's module would; returns its id. */
    private static String event(Map<String, Object> producer, String room, String type, String stateKey, String sender,
            Map<String, Object> content, String traceparent) {
        String id = "$" + UUID.randomUUID();
        Map<String, Object> event = new LinkedHashMap<>(Map.of("event_id", id, "room_id", room, "type", type,
                "sender", sender, "origin_server_ts", System.currentTimeMillis(), "content", content));
        if (stateKey != null) {
            event.put("state_key", stateKey);
        }
        Header[] headers = traceparent == null ? new Header[0]
                : new Header[] {new RecordHeader("traceparent", traceparent.getBytes(StandardCharsets.UTF_8))};
        KafkaRecords.send(producer, Topics.EVENTS, room, Json.encode(event).getBytes(StandardCharsets.UTF_8), headers);
        return id;
    }

    private static String notify(String room, String subject, String body) {
        return given().header("Authorization", "Bearer " + apiKey).contentType("application/json")
                .body(Map.of("subject", subject, "body", body)).post(ingest.url() + "/v1/rooms/" + room + "/notifications")
                .then().statusCode(202).extract().path("id");
    }

    private static String attribute(JsonNode span, String name) {
        return span.path("attributes").path(name).asText();
    }

    /** The one span of that name whose attribute has that value. */
    private static JsonNode one(List<JsonNode> spans, String name, String attribute, String value) {
        List<JsonNode> found = spans.stream().filter(s -> s.path("name").asText().equals(name)
                && attribute(s, attribute).equals(value)).toList();
        assertThat(found).as(name + " with " + attribute + "=" + value + " among " + spans.size() + " spans").hasSize(1);
        return found.get(0);
    }

    /** The JSON log line of a service about a delivery (its delivery_id field), or null. */
    private static JsonNode logLine(ServiceProcess service, String deliveryId) throws java.io.IOException {
        for (String l : Files.readAllLines(service.log)) {
            if (l.startsWith("{") && l.contains(deliveryId)) {
                JsonNode line = Json.MAPPER.readTree(l);
                if (deliveryId.equals(line.path("mdc").path("delivery_id").asText())) {
                    return line;
                }
            }
        }
        return null;
    }

    /** kafka.sasl.jaas.config → KAFKA_SASL_JAAS_CONFIG, quarkus.datasource.username → QUARKUS_DATASOURCE_USERNAME. */
    private static Map<String, String> environment(Map<String, String> config) {
        Map<String, String> env = new java.util.HashMap<>();
        config.forEach((key, value) -> env.put(key.toUpperCase(java.util.Locale.ROOT).replace('.', '_'), value));
        return env;
    }

    @SafeVarargs
    private static Map<String, String> merge(Map<String, String>... parts) {
        java.util.HashMap<String, String> m = new java.util.HashMap<>();
        for (Map<String, String> part : parts) {
            m.putAll(part);
        }
        return m;
    }
}

package io.herald.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.notNullValue;

import com.atlassian.oai.validator.model.Request;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.testsupport.EmbeddedPostgres;
import io.herald.testsupport.KafkaUsers;
import io.herald.testsupport.MatrixSpec;
import io.herald.testsupport.SecuredEmbeddedKafka;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
        ingest = ServiceProcess.start("ingest-service", "ingest-service", Map.of(),
                environment(merge(kafka.quarkusConfig(KafkaUsers.INGEST), EmbeddedPostgres.datasourceOf("ingest"))));
        rules = ServiceProcess.start("rules-service", merge(kafka.quarkusConfig(KafkaUsers.RULES),
                EmbeddedPostgres.datasourceOf("rules"), Map.of()));
        dispatcher = ServiceProcess.start("dispatcher-service", merge(kafka.quarkusConfig(KafkaUsers.DISPATCHER),
                EmbeddedPostgres.datasourceOf("dispatcher"), Map.of(
                        "herald.secrets.key", "ZTJlLXRlc3Qta2V5LTMyLWJ5dGVzLWxvbmctLS0tLS0=",
                        // the homeservers (WireMock, the dev sink) listen on loopback
                        "herald.dispatcher.outbound.homeserver-networks", "127.0.0.0/8",
                        "herald.dev-sink.enabled", "true")));
        // Producers authenticate with an API key made through ingest's admin API.
        apiKey = given().contentType("application/json")
                .body("{\"tenant\":\"e2e\",\"sender\":\"@herald:localhost\",\"rooms\":[\"*\"]}")
                .post(ingest.url() + "/v1/admin/api-keys").then().statusCode(201).extract().path("key");
    }

    @AfterAll
    static void stopEverything() {
        for (AutoCloseable c : new AutoCloseable[] {ingest, rules, dispatcher}) {
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
                .put(rules.url() + "/v1/rooms/ops").then().statusCode(201);

        String id = given().header("Authorization", "Bearer " + apiKey).contentType("application/json")
                .body("{\"subject\":\"Backup failed\",\"body\":\"NAS <nas1> could not reach the target\","
                        + "\"link\":\"https://nas1.local/backup\"}")
                .post(ingest.url() + "/v1/rooms/ops/notifications")
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

package io.herald.dispatcher;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.atlassian.oai.validator.model.Request;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.Topics;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.MatrixSpec;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Re-login, parking without stalling, order per destination, and the dead-letter API. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class FailureHandlingTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static WireMockServer homeserver;

    @BeforeAll
    static void start() {
        homeserver = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        homeserver.start();
    }

    @AfterAll
    static void stop() {
        homeserver.stop();
    }

    @Test
    void anUnknownTokenLogsInAgainWithTheSameDeviceAndRetries() {
        String account = "relogin-" + UUID.randomUUID().toString().substring(0, 8);
        Auth.admin().contentType("application/json").body("{\"id\":\"" + account + "\",\"homeserver\":\"" + homeserver.baseUrl()
                + "\",\"access_token\":\"old-token\",\"user_id\":\"@bot:example.org\",\"device_id\":\"DEV1\","
                + "\"password\":\"bot-password\"}")
                .post("/v1/matrix-accounts").then().statusCode(201).body("relogin", equalTo(true))
                .body(org.hamcrest.Matchers.not(containsString("bot-password")));
        String room = room();
        homeserver.stubFor(put(urlPathMatching(pattern(room))).withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer old-token"))
                .willReturn(aResponse().withStatus(401)
                        .withBody("{\"errcode\":\"M_UNKNOWN_TOKEN\",\"error\":\"Invalid access token\",\"soft_logout\":false}")));
        homeserver.stubFor(put(urlPathMatching(pattern(room))).withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer new-token"))
                .willReturn(okJson("{\"event_id\":\"$after-login\"}")));
        homeserver.stubFor(post(urlEqualTo("/_matrix/client/v3/login")).willReturn(okJson(
                "{\"access_token\":\"new-token\",\"device_id\":\"DEV1\",\"user_id\":\"@bot:example.org\"}")));
        Delivery delivery = delivery(account, room);

        produce(delivery);

        awaitState(delivery.id(), "delivered");
        List<LoggedRequest> puts = homeserver.findAll(putRequestedFor(urlPathMatching(pattern(room))));
        assertThat(puts).extracting(r -> r.getHeader("Authorization")).containsExactly("Bearer old-token", "Bearer new-token");
        assertThat(puts).extracting(LoggedRequest::getUrl).containsOnly(puts.get(0).getUrl());
        LoggedRequest login = homeserver.findAll(postRequestedFor(urlEqualTo("/_matrix/client/v3/login"))).get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> body = Json.decode(login.getBodyAsString(), Map.class);
        assertThat(body).containsEntry("type", "m.login.password").containsEntry("device_id", "DEV1")
                .containsEntry("password", "bot-password")
                .containsEntry("identifier", Map.of("type", "m.id.user", "user", "@bot:example.org"));
        assertThat(MatrixSpec.validateRequest(MatrixSpec.LOGIN, Request.Method.POST, "/_matrix/client/v3/login",
                Map.of(), login.getBodyAsString()).getMessages()).isEmpty();
    }

    @Test
    void anUnknownTokenWithoutAStoredPasswordIsDeadLettered() {
        String account = "nopass-" + UUID.randomUUID().toString().substring(0, 8);
        createAccount(account);
        String room = room();
        homeserver.stubFor(put(urlPathMatching(pattern(room))).willReturn(aResponse().withStatus(401)
                .withBody("{\"errcode\":\"M_UNKNOWN_TOKEN\",\"error\":\"Invalid access token\"}")));
        Delivery delivery = delivery(account, room);

        produce(delivery);

        awaitState(delivery.id(), "dead");
        Auth.admin().get("/v1/dead-letters/" + delivery.id()).then().statusCode(200)
                .body("reason", containsString("M_UNKNOWN_TOKEN"))
                .body("reason", containsString("no stored password"))
                .body("delivery.id", equalTo(delivery.id()));
    }

    @Test
    void aFailingDestinationIsParkedWithoutHoldingUpOthersAndKeepsItsOrder() {
        String account = "park-" + UUID.randomUUID().toString().substring(0, 8);
        createAccount(account);
        String failing = room();
        String healthy = room();
        // The failing room answers 503 to its first 3 requests, then accepts.
        String scenario = "outage-" + failing;
        homeserver.stubFor(put(urlPathMatching(pattern(failing))).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("1"));
        homeserver.stubFor(put(urlPathMatching(pattern(failing))).inScenario(scenario).whenScenarioStateIs("1")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("2"));
        homeserver.stubFor(put(urlPathMatching(pattern(failing))).inScenario(scenario).whenScenarioStateIs("2")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        homeserver.stubFor(put(urlPathMatching(pattern(failing))).inScenario(scenario).whenScenarioStateIs("up")
                .willReturn(okJson("{\"event_id\":\"$ok\"}")));
        homeserver.stubFor(put(urlPathMatching(pattern(healthy))).willReturn(okJson("{\"event_id\":\"$healthy\"}")));
        List<Delivery> ordered = List.of(delivery(account, failing), delivery(account, failing), delivery(account, failing));
        Delivery other = delivery(account, healthy);

        // All four on one partition: the failing destination's key and the healthy one's differ, so send the healthy
        // one with the failing one's key to prove it is not held up by a failing neighbour on the same partition.
        ordered.forEach(FailureHandlingTest::produce);
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.DELIVERIES, ordered.get(0).destination().key(),
                Json.encode(other));

        ordered.forEach(d -> awaitState(d.id(), "delivered"));
        awaitState(other.id(), "delivered");
        List<LoggedRequest> successes = homeserver.findAll(putRequestedFor(urlPathMatching(pattern(failing)))).stream()
                .sorted(Comparator.comparing(LoggedRequest::getLoggedDate)).skip(3).toList();
        assertThat(successes).extracting(r -> r.getUrl().substring(r.getUrl().lastIndexOf("/herald-") + 8))
                .containsExactly(ordered.get(0).id(), ordered.get(1).id(), ordered.get(2).id());
        LoggedRequest healthyPut = homeserver.findAll(putRequestedFor(urlPathMatching(pattern(healthy)))).get(0);
        assertThat(healthyPut.getLoggedDate()).isBefore(successes.get(0).getLoggedDate());
        Auth.admin().get("/v1/deliveries/" + ordered.get(0).id()).then().body("attempts", equalTo(4))
                .body("history.size()", equalTo(4)).body("history[0].status", equalTo(503));
    }

    @Test
    void deadLettersCanBeListedShownReplayedAndPurged() {
        String account = "dl-" + UUID.randomUUID().toString().substring(0, 8);
        createAccount(account);
        String room = room();
        homeserver.stubFor(put(urlPathMatching(pattern(room))).atPriority(1).willReturn(aResponse().withStatus(403)
                .withBody("{\"errcode\":\"M_FORBIDDEN\",\"error\":\"not in room\"}")));
        String roomKey = "dl-room-" + UUID.randomUUID().toString().substring(0, 8);
        Delivery first = delivery(account, room, roomKey);
        Delivery second = delivery(account, room, roomKey);
        produce(first);
        produce(second);
        awaitState(first.id(), "dead");
        awaitState(second.id(), "dead");

        Auth.admin().get("/v1/dead-letters?room=" + roomKey).then().statusCode(200)
                .body("total", equalTo(2))
                .body("dead_letters.delivery_id", hasItem(first.id()))
                .body("dead_letters[0].reason", containsString("M_FORBIDDEN"))
                .body("dead_letters[0].last_status", equalTo(403));
        Auth.admin().get("/v1/dead-letters?room=" + roomKey + "&reason=forbidden&kind=matrix_room&newer_than=PT1H")
                .then().body("total", equalTo(2));
        Auth.admin().get("/v1/dead-letters?room=" + roomKey + "&older_than=PT1H").then().body("total", equalTo(0));
        Auth.admin().get("/v1/dead-letters?older_than=yesterday").then().statusCode(400);
        Auth.admin().get("/v1/dead-letters/" + first.id()).then().statusCode(200)
                .body("history[0].status", equalTo(403)).body("delivery.destination.matrix_room.room_id", equalTo(room));

        // The bot was invited meanwhile: replay one, and it is delivered with the same txnId.
        homeserver.stubFor(put(urlPathMatching(pattern(room))).atPriority(0).willReturn(okJson("{\"event_id\":\"$replayed\"}")));
        Auth.admin().post("/v1/dead-letters/" + first.id() + "/replay").then().statusCode(202).body("replayed", equalTo(1));
        awaitState(first.id(), "delivered");
        assertThat(homeserver.findAll(putRequestedFor(urlPathMatching(".*/herald-" + first.id())))).hasSize(2);
        Auth.admin().get("/v1/dead-letters/" + first.id()).then().statusCode(404);

        Auth.admin().delete("/v1/dead-letters").then().statusCode(400).body("detail", containsString("all=true"));
        Auth.admin().delete("/v1/dead-letters?room=" + roomKey).then().statusCode(200).body("purged", equalTo(1));
        Auth.admin().get("/v1/dead-letters?room=" + roomKey).then().body("total", equalTo(0));
        Auth.admin().delete("/v1/dead-letters/" + second.id()).then().statusCode(404);
    }

    // --- helpers

    private static void createAccount(String id) {
        Auth.admin().contentType("application/json").body("{\"id\":\"" + id + "\",\"homeserver\":\"" + homeserver.baseUrl()
                + "\",\"access_token\":\"token-" + id + "\"}").post("/v1/matrix-accounts").then().statusCode(201);
    }

    private static String room() {
        return "!" + UUID.randomUUID().toString().substring(0, 12) + ":example.org";
    }

    private static String pattern(String roomId) {
        return "/_matrix/client/v3/rooms/" + roomId.replace("!", "%21").replace(":", "%3A") + "/send/.*";
    }

    private static Delivery delivery(String account, String roomId) {
        return delivery(account, roomId, "ops");
    }

    private static Delivery delivery(String account, String roomId, String roomKey) {
        Destination destination = Destination.room(account, roomId);
        String notificationId = UUID.randomUUID().toString();
        return new Delivery(Delivery.idFor(notificationId, destination), notificationId, roomKey, destination,
                MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", "n " + notificationId)),
                Map.of(), "high", 0, Instant.now().plus(Duration.ofHours(1)), Instant.now());
    }

    private static void produce(Delivery delivery) {
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.DELIVERIES, delivery.destination().key(),
                Json.encode(delivery));
    }

    private static void awaitState(String deliveryId, String state) {
        await().atMost(WAIT).until(() -> Auth.admin().get("/v1/deliveries/" + deliveryId).statusCode() == 200
                && state.equals(Auth.admin().get("/v1/deliveries/" + deliveryId).path("state")));
    }
}

package io.herald.dispatcher;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.report.ValidationReport;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.MessageRenderer;
import io.herald.common.Topics;
import io.herald.dispatcher.account.AccountDirectory;
import io.herald.dispatcher.account.MatrixAccount;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.MatrixSpec;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dispatcher against WireMock playing the homeserver, through the failure table's rows. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class RoomDeliveryTest {

    private static final String TOKEN = "syt_room_delivery_token";
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Nonce, ciphertext and tag that no key of this test opens (the tag cannot match). */
    private static final String SEALED_WITH_ANOTHER_KEY = "v1:" + java.util.Base64.getEncoder().encodeToString(new byte[48]);

    @jakarta.inject.Inject
    AccountDirectory accounts;
    private static WireMockServer homeserver;

    @BeforeAll
    static void startHomeserver() {
        homeserver = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        homeserver.start();
    }

    @AfterAll
    static void stopHomeserver() {
        homeserver.stop();
    }

    @Test
    void aDeliveryIsPutOnceWithTokenTxnIdAndASpecValidBody() {
        String room = room();
        stubRoom(room, okJson("{\"event_id\":\"$ev1\"}"));
        Delivery delivery = delivery(room);

        produce(delivery);

        LoggedRequest request = awaitRequests(room, 1).get(0);
        assertThat(request.getUrl()).isEqualTo("/_matrix/client/v3/rooms/" + encoded(room)
                + "/send/m.room.message/herald-" + delivery.id());
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(Json.decode(request.getBodyAsString(), Map.class)).isEqualTo(delivery.event().content());
        ValidationReport report = MatrixSpec.validateRequest(MatrixSpec.ROOM_SEND, Request.Method.PUT,
                request.getUrl(), Map.of("Authorization", request.getHeader("Authorization")), request.getBodyAsString());
        assertThat(report.getMessages()).isEmpty();

        awaitLogState(delivery.id(), "delivered");
        Auth.admin().get("/v1/deliveries/" + delivery.id()).then()
                .body("matrix_event_id", org.hamcrest.Matchers.equalTo("$ev1"))
                .body("attempts", org.hamcrest.Matchers.equalTo(1));
        assertThat(homeserver.findAll(putRequestedFor(urlPathMatching(".*" + encoded(room) + ".*")))).hasSize(1);
    }

    @Test
    void aRedeliveredRecordPutsTheSameTxnId() {
        String room = room();
        stubRoom(room, okJson("{\"event_id\":\"$same\"}"));
        Delivery delivery = delivery(room);

        produce(delivery);
        produce(delivery);

        List<LoggedRequest> requests = awaitRequests(room, 2);
        assertThat(requests).extracting(LoggedRequest::getUrl).containsOnly(requests.get(0).getUrl());
    }

    @Test
    void serverErrorsAreRetriedUntilTheyPass() {
        String room = room();
        String path = urlPattern(room);
        homeserver.stubFor(put(urlPathMatching(path)).inScenario(room).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(502)).willSetStateTo("second"));
        homeserver.stubFor(put(urlPathMatching(path)).inScenario(room).whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(500).withBody("{\"errcode\":\"M_UNKNOWN\"}")).willSetStateTo("third"));
        homeserver.stubFor(put(urlPathMatching(path)).inScenario(room).whenScenarioStateIs("third")
                .willReturn(okJson("{\"event_id\":\"$late\"}")));
        Delivery delivery = delivery(room);

        produce(delivery);

        List<LoggedRequest> requests = awaitRequests(room, 3);
        assertThat(requests).extracting(LoggedRequest::getUrl).containsOnly(requests.get(0).getUrl());
        awaitLogState(delivery.id(), "delivered");
        Auth.admin().get("/v1/deliveries/" + delivery.id()).then().body("attempts", org.hamcrest.Matchers.equalTo(3));
    }

    @Test
    void rateLimitedSendsWaitAsToldThenPass() {
        String room = room();
        String path = urlPattern(room);
        homeserver.stubFor(put(urlPathMatching(path)).inScenario(room).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")
                        .withBody("{\"errcode\":\"M_LIMIT_EXCEEDED\",\"retry_after_ms\":1000}"))
                .willSetStateTo("ok"));
        homeserver.stubFor(put(urlPathMatching(path)).inScenario(room).whenScenarioStateIs("ok")
                .willReturn(okJson("{\"event_id\":\"$after429\"}")));
        Delivery delivery = delivery(room);

        produce(delivery);

        List<LoggedRequest> requests = awaitRequests(room, 2);
        long waitedMillis = requests.get(1).getLoggedDate().getTime() - requests.get(0).getLoggedDate().getTime();
        assertThat(waitedMillis).isGreaterThanOrEqualTo(900); // a lower bound only: the wait was honoured
        awaitLogState(delivery.id(), "delivered");
    }

    @Test
    void forbiddenIsDeadLetteredAtOnceWithTheReason() {
        String room = room();
        stubRoom(room, aResponse().withStatus(403)
                .withBody("{\"errcode\":\"M_FORBIDDEN\",\"error\":\"User @bot:example.org not in room\"}"));
        Delivery delivery = delivery(room);

        produce(delivery);

        ConsumerRecord<String, String> dead = KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.DELIVERIES_DLQ,
                r -> r.value() != null && r.value().contains(delivery.id()), 1, WAIT).get(0);
        assertThat(KafkaRecords.header(dead, "dead-letter-reason"))
                .contains("HTTP 403").contains("M_FORBIDDEN").contains("not in room");
        assertThat(Json.decodeDelivery(dead.value())).isEqualTo(delivery);
        awaitLogState(delivery.id(), "dead");
        assertThat(homeserver.findAll(putRequestedFor(urlPathMatching(urlPattern(room))))).hasSize(1);
    }

    @Test
    void anUnknownAccountIsDeadLettered() {
        String room = room();
        Destination destination = Destination.room("no-such-account", room);
        Delivery delivery = new Delivery(UUID.randomUUID().toString(), "n-" + room, "ops", destination,
                MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", "x")), Map.of(), "high",
                0, null, Instant.now());

        produce(delivery);

        ConsumerRecord<String, String> dead = KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.DELIVERIES_DLQ,
                r -> r.value() != null && r.value().contains(delivery.id()), 1, WAIT).get(0);
        assertThat(KafkaRecords.header(dead, "dead-letter-reason")).contains("unknown Matrix account 'no-such-account'");
    }

    @Test
    void aRepublishedDeliveryIsPutWithTheSameTxnIdAndTheLogKeepsBothAttempts() {
        String room = room();
        stubRoom(room, okJson("{\"event_id\":\"$same\"}"));
        Delivery delivery = delivery(room);
        produce(delivery);
        awaitRequests(room, 1);
        awaitLogState(delivery.id(), "delivered");

        produce(delivery); // as after a crash before the offset commit, or a replay

        List<LoggedRequest> puts = awaitRequests(room, 2);
        assertThat(puts).extracting(LoggedRequest::getUrl).containsOnly(puts.get(0).getUrl());
        await().atMost(WAIT).untilAsserted(() -> Auth.admin().get("/v1/deliveries/" + delivery.id()).then()
                .body("state", org.hamcrest.Matchers.equalTo("delivered"))
                .body("attempts", org.hamcrest.Matchers.equalTo(2))
                .body("history.size()", org.hamcrest.Matchers.equalTo(2))
                .body("history.status", org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.equalTo(200))));
    }

    @Test
    void anAccountWhoseTokenCannotBeDecryptedIsDeadLetteredNotRetriedForever() {
        // As after a change of herald.secrets.key: the stored token was sealed with another key.
        String room = room();
        ensureAccount("other-key", homeserver.baseUrl());
        QuarkusTransaction.requiringNew().run(() -> MatrixAccount.update(
                "accessTokenEncrypted = ?1 where id = ?2", SEALED_WITH_ANOTHER_KEY, "other-key"));
        accounts.evict("other-key");
        stubRoom(room, okJson("{\"event_id\":\"$never\"}"));
        Delivery delivery = new Delivery(UUID.randomUUID().toString(), "n-" + room, "ops",
                Destination.room("other-key", room),
                MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", "x")), Map.of(), "high",
                0, null, Instant.now());

        produce(delivery);

        ConsumerRecord<String, String> dead = KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.DELIVERIES_DLQ,
                r -> r.value() != null && r.value().contains(delivery.id()), 1, WAIT).get(0);
        assertThat(KafkaRecords.header(dead, "dead-letter-reason"))
                .contains("cannot decrypt the secret of 'other-key'").contains("herald.secrets.key")
                .doesNotContain(TOKEN);
        awaitLogState(delivery.id(), "dead");
        assertThat(homeserver.findAll(putRequestedFor(urlPathMatching(urlPattern(room))))).isEmpty();
    }

    @Test
    void connectionErrorsAreRetriedUntilTheDeadlineThenDeadLettered() {
        String room = room();
        ensureAccount("unreachable", "http://127.0.0.1:1");
        Destination destination = Destination.room("unreachable", room);
        Delivery delivery = new Delivery(UUID.randomUUID().toString(), "n-" + room, "ops", destination,
                MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", "x")), Map.of(), "high",
                0, Instant.now().plusSeconds(2), Instant.now());

        produce(delivery);

        ConsumerRecord<String, String> dead = KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.DELIVERIES_DLQ,
                r -> r.value() != null && r.value().contains(delivery.id()), 1, WAIT).get(0);
        assertThat(KafkaRecords.header(dead, "dead-letter-reason")).contains("gave up at the deadline")
                .contains("unreachable (connection refused)").doesNotContain("127.0.0.1");
        Auth.admin().get("/v1/deliveries/" + delivery.id()).then()
                .body("state", org.hamcrest.Matchers.equalTo("dead"))
                .body("attempts", org.hamcrest.Matchers.greaterThan(1));
    }

    // --- helpers

    private static String room() {
        return "!" + UUID.randomUUID().toString().substring(0, 12) + ":example.org";
    }

    private static String encoded(String roomId) {
        return roomId.replace("!", "%21").replace(":", "%3A");
    }

    private static String urlPattern(String roomId) {
        return "/_matrix/client/v3/rooms/" + encoded(roomId) + "/send/.*";
    }

    private static void stubRoom(String roomId, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer) {
        homeserver.stubFor(put(urlPathMatching(urlPattern(roomId))).willReturn(answer));
    }

    private static void ensureAccount(String id, String url) {
        Auth.admin().contentType("application/json")
                .body("{\"id\":\"" + id + "\",\"homeserver\":\"" + url + "\",\"access_token\":\"" + TOKEN + "\"}")
                .post("/v1/matrix-accounts")
                .then().statusCode(org.hamcrest.Matchers.oneOf(201, 409));
    }

    private static Delivery delivery(String roomId) {
        ensureAccount("wiremock-bot", homeserver.baseUrl());
        Destination destination = Destination.room("wiremock-bot", roomId);
        String notificationId = UUID.randomUUID().toString();
        return new Delivery(Delivery.idFor(notificationId, destination), notificationId, "ops", destination,
                MatrixEvent.message("@herald:localhost", MessageRenderer.render("Subject", "Body <b>", "https://e.org", false)),
                Map.of(), "high", 0, Instant.now().plus(Duration.ofHours(24)), Instant.now());
    }

    private static void produce(Delivery delivery) {
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.DELIVERIES, delivery.destination().key(),
                Json.encode(delivery));
    }

    private static List<LoggedRequest> awaitRequests(String roomId, int count) {
        await().atMost(WAIT).until(() -> homeserver.findAll(putRequestedFor(urlPathMatching(urlPattern(roomId)))).size() >= count);
        return homeserver.findAll(putRequestedFor(urlPathMatching(urlPattern(roomId))));
    }

    private static void awaitLogState(String deliveryId, String state) {
        await().atMost(WAIT).until(() -> Auth.admin().get("/v1/deliveries/" + deliveryId).statusCode() == 200
                && state.equals(Auth.admin().get("/v1/deliveries/" + deliveryId).path("state")));
    }
}

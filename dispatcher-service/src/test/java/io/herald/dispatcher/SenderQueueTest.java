package io.herald.dispatcher;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.atlassian.oai.validator.model.Request;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.Relations;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.MatrixSpec;
import io.herald.testsupport.PostgresTestResource;
import io.herald.testsupport.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The queue senders see and steer, edits and redactions, and the late marker, against WireMock as homeserver. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class SenderQueueTest {

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

    private static String account() {
        return Deliveries.account("q", homeserver.baseUrl(), "");
    }

    private static Delivery message(String account, String roomId, String roomKey, String notificationId,
            Map<String, Object> content, Instant acceptedAt) {
        return event(account, roomId, roomKey, notificationId, MatrixEvent.message("@herald:localhost", content),
                acceptedAt);
    }

    private static Delivery event(String account, String roomId, String roomKey, String notificationId,
            MatrixEvent event, Instant acceptedAt) {
        Destination destination = Destination.room(account, roomId);
        Instant now = Instant.now();
        return new Delivery(Delivery.idFor(notificationId, destination), notificationId, roomKey, destination, event,
                Map.of(), "high", 0, now.plus(Duration.ofHours(1)), now, "tenant-a", acceptedAt);
    }

    private static List<LoggedRequest> puts(String roomId) {
        return homeserver.findAll(putRequestedFor(urlPathMatching(
                "/_matrix/client/v3/rooms/" + roomId.replace("!", "%21").replace(":", "%3A") + "/.*")));
    }

    @Test
    void anEditReplacesAndARedactionRedactsTheDeliveredEventAndALateOneSaysSo() {
        String account = account();
        String roomId = Deliveries.room();
        String prefix = "/_matrix/client/v3/rooms/" + roomId.replace("!", "%21").replace(":", "%3A");
        homeserver.stubFor(put(urlPathMatching(prefix + "/send/.*")).willReturn(okJson("{\"event_id\":\"$orig\"}")));
        homeserver.stubFor(put(urlPathMatching(prefix + "/redact/.*")).willReturn(okJson("{\"event_id\":\"$redaction\"}")));
        String original = UUID.randomUUID().toString();
        Instant accepted = Instant.parse("2026-01-05T14:02:00Z"); // long ago: late
        Map<String, Object> first = Map.of("msgtype", "m.text", "body", "disk full", "format", "org.matrix.custom.html",
                "formatted_body", "disk <b>full</b>");
        Delivery delivery = message(account, roomId, "edits", original, first, accepted);
        Delivery edit = message(account, roomId, "edits", UUID.randomUUID().toString(), Relations.replacement(original,
                Map.of("msgtype", "m.notice", "body", "disk ok")), Instant.now());
        Delivery redaction = event(account, roomId, "edits", UUID.randomUUID().toString(), new MatrixEvent(
                Relations.REDACTION, "@herald:localhost", Relations.redaction(original, "resolved"), null, null), Instant.now());
        Deliveries.produce(delivery);
        Deliveries.produce(edit);
        Deliveries.produce(redaction);

        await().atMost(Deliveries.WAIT).until(() -> puts(roomId).size() >= 3);
        List<LoggedRequest> requests = puts(roomId);
        assertThat(requests).hasSize(3);
        @SuppressWarnings("unchecked")
        Map<String, Object> sent = Json.decode(requests.get(0).getBodyAsString(), Map.class);
        assertThat((String) sent.get("body")).startsWith("disk full\n\nqueued since 2026-01-05 14:02 UTC (")
                .endsWith(" late)");
        assertThat((String) sent.get("formatted_body")).startsWith("disk <b>full</b><br><br><em>queued since 2026-01-05");

        @SuppressWarnings("unchecked")
        Map<String, Object> replaced = Json.decode(requests.get(1).getBodyAsString(), Map.class);
        assertThat(replaced).containsEntry("m.relates_to", Map.of("rel_type", "m.replace", "event_id", "$orig"))
                .containsEntry("body", "* disk ok").containsEntry("m.new_content", Map.of("msgtype", "m.notice",
                        "body", "disk ok")).doesNotContainKey(Relations.KEY);
        assertThat(MatrixSpec.validateRequest(MatrixSpec.ROOM_SEND, Request.Method.PUT, requests.get(1).getUrl(),
                Map.of("Authorization", requests.get(1).getHeader("Authorization")), requests.get(1).getBodyAsString())
                .getMessages()).isEmpty();

        LoggedRequest redact = requests.get(2);
        assertThat(redact.getUrl()).isEqualTo(prefix + "/redact/%24orig/herald-" + redaction.id());
        assertThat(Json.decode(redact.getBodyAsString(), Map.class)).isEqualTo(Map.of("reason", "resolved"));
        assertThat(MatrixSpec.validateRequest(MatrixSpec.REDACTION, Request.Method.PUT, redact.getUrl(),
                Map.of("Authorization", redact.getHeader("Authorization")), redact.getBodyAsString()).getMessages())
                .isEmpty();
        Deliveries.awaitState(redaction.id(), "delivered");
    }

    @Test
    void anEditOfANotificationNeverDeliveredThereIsADeadLetterWithTheReason() {
        String account = account();
        String roomId = Deliveries.room();
        Delivery edit = message(account, roomId, "edits", UUID.randomUUID().toString(),
                Relations.replacement("never-sent", Map.of("msgtype", "m.text", "body", "x")), Instant.now());
        Deliveries.produce(edit);
        Deliveries.awaitState(edit.id(), "dead");
        Auth.admin().get("/v1/deliveries/" + edit.id()).then()
                .body("last_error", org.hamcrest.Matchers.containsString("has no Matrix event in this room"));
        assertThat(puts(roomId)).isEmpty();
    }

    @Test
    void aPurgeRacingASendInFlightNeverPostsAPurgedDeliveryNorReportsAPostedOnePurged() {
        String account = account();
        String roomId = Deliveries.room();
        String roomKey = "race-" + UUID.randomUUID().toString().substring(0, 8);
        homeserver.stubFor(put(urlPathMatching(".*" + roomId.replace("!", "%21").replace(":", "%3A") + "/send/.*"))
                .willReturn(okJson("{\"event_id\":\"$x\"}").withFixedDelay(700)));
        List<Delivery> deliveries = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Delivery d = message(account, roomId, roomKey, UUID.randomUUID().toString(),
                    Map.of("msgtype", "m.text", "body", "n" + i), Instant.now());
            deliveries.add(d);
            Deliveries.produce(d);
        }
        await().atMost(Deliveries.WAIT).until(() -> !homeserver.findAll(putRequestedFor(urlPathMatching(".*"
                + roomId.replace("!", "%21").replace(":", "%3A") + ".*"))).isEmpty()); // the first send is in flight
        Auth.admin().queryParam("tenant", "tenant-a").delete("/v1/rooms/" + roomKey + "/queue").then().statusCode(200)
                .body("room", equalTo(roomKey));

        Set<String> settled = Set.of("delivered", "purged");
        await().atMost(Deliveries.WAIT).until(() -> deliveries.stream().map(d -> Deliveries.state(d.id()))
                .allMatch(state -> state != null && settled.contains(state)));
        Set<String> posted = new HashSet<>();
        puts(roomId).forEach(r -> posted.add(Deliveries.deliveryIdOf(r.getUrl())));
        for (Delivery d : deliveries) {
            String state = Deliveries.state(d.id());
            assertThat(state).as("delivery %s", d.id()).isEqualTo(posted.contains(d.id()) ? "delivered" : "purged");
        }
        assertThat(posted).as("the send under way went through").isNotEmpty();
        assertThat(posted.size()).as("the others were purged").isLessThan(deliveries.size());
        Auth.admin().get("/v1/notifications/" + deliveries.get(5).notificationId()).then().statusCode(200)
                .body("state", equalTo("purged")).body("deliveries[0].state", equalTo("purged"))
                .body("deliveries[0].matrix_room_id", equalTo(roomId));
        // a notification accepted after the purge goes out
        Delivery later = message(account, roomId, roomKey, UUID.randomUUID().toString(),
                Map.of("msgtype", "m.text", "body", "after"), Instant.now());
        Deliveries.produce(later);
        Deliveries.awaitState(later.id(), "delivered");
    }

    @Test
    void parkedDeliveriesAreListedWithTheirNextAttemptAndAFlushSendsThemNow() {
        String account = account();
        String roomId = Deliveries.room();
        String roomKey = "flush-" + UUID.randomUUID().toString().substring(0, 8);
        String sends = ".*" + roomId.replace("!", "%21").replace(":", "%3A") + "/send/.*";
        // asked to wait ten minutes: parked, and left alone until then
        homeserver.stubFor(put(urlPathMatching(sends)).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "600").withBody("{\"errcode\":\"M_LIMIT_EXCEEDED\"}")));
        Delivery first = message(account, roomId, roomKey, UUID.randomUUID().toString(),
                Map.of("msgtype", "m.text", "body", "one"), Instant.now());
        Delivery second = message(account, roomId, roomKey, UUID.randomUUID().toString(),
                Map.of("msgtype", "m.text", "body", "two"), Instant.now().plusMillis(1));
        Deliveries.produce(first);
        Deliveries.produce(second);
        await().atMost(Deliveries.WAIT).until(() -> Auth.admin().get("/v1/rooms/" + roomKey + "/queue")
                .path("total").equals(2));
        Auth.admin().get("/v1/rooms/" + roomKey + "/queue").then().statusCode(200)
                .body("deliveries", hasSize(2))
                .body("deliveries[0].delivery_id", equalTo(first.id()))
                .body("deliveries[0].state", equalTo("retrying"))
                .body("deliveries[0].last_status", equalTo(429))
                .body("deliveries[0].next_attempt_at", org.hamcrest.Matchers.notNullValue())
                .body("deliveries[1].state", equalTo("pending"));
        // another tenant sees nothing of it
        Auth.as(TestTokens.TENANT_OPERATOR).get("/v1/rooms/" + roomKey + "/queue").then().statusCode(200)
                .body("total", equalTo(0));
        Auth.as(TestTokens.TENANT_OPERATOR).get("/v1/notifications/" + first.notificationId()).then().statusCode(200)
                .body("state", equalTo("pending")).body("deliveries", hasSize(0));

        homeserver.stubFor(put(urlPathMatching(sends)).willReturn(okJson("{\"event_id\":\"$now\"}")));
        Auth.admin().post("/v1/rooms/" + roomKey + "/queue/flush").then().statusCode(200).body("destinations", equalTo(1));
        Deliveries.awaitState(second.id(), "delivered");
        Auth.admin().get("/v1/notifications/" + first.notificationId()).then().body("state", equalTo("delivered"))
                .body("deliveries[0].matrix_event_id", equalTo("$now"));
        Auth.admin().get("/v1/rooms/" + roomKey + "/queue").then().body("total", equalTo(0));
    }
}

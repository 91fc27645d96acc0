package io.herald.dispatcher;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.herald.dispatcher.Deliveries.WAIT;
import static io.herald.dispatcher.Deliveries.account;
import static io.herald.dispatcher.Deliveries.awaitState;
import static io.herald.dispatcher.Deliveries.delivery;
import static io.herald.dispatcher.Deliveries.deliveryIdOf;
import static io.herald.dispatcher.Deliveries.produce;
import static io.herald.dispatcher.Deliveries.room;
import static io.herald.dispatcher.Deliveries.sendsTo;
import static io.herald.dispatcher.Deliveries.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.nullValue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.herald.common.Delivery;
import io.herald.common.Topics;
import io.herald.dispatcher.delivery.ParkingLot;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #14 against the real broker and PostgreSQL, with WireMock as a homeserver that misbehaves in ordinary ways: no
 * answer, wait or record may leave a delivery unaccounted for or hold up another destination.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class NeverStallTest {

    private static WireMockServer homeserver;

    @Inject
    ParkingLot lot;

    @BeforeAll
    static void start() {
        homeserver = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").asynchronousResponseEnabled(true));
        homeserver.start();
    }

    @AfterAll
    static void stop() {
        homeserver.stop();
    }

    @Test
    void aWaitOfZeroMeansRetryNow() {
        String account = account("zero", homeserver.baseUrl(), "");
        String room = room();
        String scenario = "zero-" + room;
        homeserver.stubFor(put(urlPathMatching(sendsTo(room))).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withBody("{\"errcode\":\"M_LIMIT_EXCEEDED\",\"retry_after_ms\":0}"))
                .willSetStateTo("header"));
        homeserver.stubFor(put(urlPathMatching(sendsTo(room))).inScenario(scenario).whenScenarioStateIs("header")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "0")
                        .withBody("{\"errcode\":\"M_LIMIT_EXCEEDED\"}")).willSetStateTo("negative"));
        homeserver.stubFor(put(urlPathMatching(sendsTo(room))).inScenario(scenario).whenScenarioStateIs("negative")
                .willReturn(aResponse().withStatus(429).withBody("{\"errcode\":\"M_LIMIT_EXCEEDED\",\"retry_after_ms\":-5}"))
                .willSetStateTo("up"));
        homeserver.stubFor(put(urlPathMatching(sendsTo(room))).inScenario(scenario).whenScenarioStateIs("up")
                .willReturn(okJson("{\"event_id\":\"$zero\"}")));
        Delivery d = delivery(account, room, "zero");

        produce(d);

        awaitState(d.id(), "delivered");
        Auth.admin().get("/v1/deliveries/" + d.id()).then().body("attempts", org.hamcrest.Matchers.equalTo(4))
                .body("matrix_event_id", org.hamcrest.Matchers.equalTo("$zero"));
    }

    @Test
    void anAbsurdWaitIsCappedAndParksTheDeliveryWithoutHoldingUpAnotherRoom() throws Exception {
        String account = account("absurd", homeserver.baseUrl(), "");
        String limited = room();
        String healthy = room();
        homeserver.stubFor(put(urlPathMatching(sendsTo(limited))).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "99999999999999999999999").withBody("{\"errcode\":\"M_LIMIT_EXCEEDED\"}")));
        homeserver.stubFor(put(urlPathMatching(sendsTo(healthy))).willReturn(okJson("{\"event_id\":\"$healthy\"}")));
        Delivery waiting = delivery(account, limited, "absurd");
        Delivery behind = delivery(account, limited, "absurd");
        Delivery other = delivery(account, healthy, "absurd");

        produce(waiting);
        produce(behind);
        produce(other);

        awaitState(other.id(), "delivered");
        awaitState(waiting.id(), "retrying");
        await().atMost(WAIT).until(() -> isParked(waiting) && isParked(behind)); // the second behind the first
        assertThat(state(behind.id())).as("the later delivery of the limited room waits behind the first").isNull();
        Auth.admin().get("/v1/deliveries/" + waiting.id()).then().body("last_status", org.hamcrest.Matchers.equalTo(429));
    }

    @Test
    void anUnusableEventIdIsDroppedAndTheDeliveryStillCounts() {
        String account = account("evid", homeserver.baseUrl(), "");
        String room = room();
        homeserver.stubFor(put(urlPathMatching(sendsTo(room))).willReturn(okJson("{\"event_id\":\"$" + "x".repeat(300) + "\"}")));
        Delivery d = delivery(account, room, "evid");

        produce(d);

        awaitState(d.id(), "delivered");
        Auth.admin().get("/v1/deliveries/" + d.id()).then().body("matrix_event_id", nullValue())
                .body("last_error", containsString("unusable event_id"));
        assertThat(homeserver.findAll(putRequestedFor(urlPathMatching(sendsTo(room))))).hasSize(1);
    }

    @Test
    void aNulInTheHomeserversErrorDoesNotStopTheDeadLetter() {
        String account = account("nul", homeserver.baseUrl(), "");
        String room = room();
        homeserver.stubFor(put(urlPathMatching(sendsTo(room))).willReturn(aResponse().withStatus(403)
                .withBody("{\"errcode\":\"M_FORBIDDEN\",\"error\":\"not\\u0000in room " + "y".repeat(5000) + "\"}")));
        Delivery d = delivery(account, room, "nul");

        produce(d);

        awaitState(d.id(), "dead");
        String reason = Auth.admin().get("/v1/dead-letters/" + d.id()).then().statusCode(200).extract().path("reason");
        assertThat(reason).contains("M_FORBIDDEN: not in room").doesNotContain("\u0000").hasSizeLessThan(1100);
    }

    @Test
    void aRecordBreakingTheContractIsDeadLetteredOnArrivalAndTheNextOneIsDelivered() {
        String account = account("contract", homeserver.baseUrl(), "");
        String room = room();
        homeserver.stubFor(put(urlPathMatching(sendsTo(room))).willReturn(okJson("{\"event_id\":\"$ok\"}")));
        Delivery good = delivery(account, room, "contract");
        Delivery template = delivery(account, room, "contract");
        Delivery longId = new Delivery("i".repeat(300), template.notificationId(), template.room(), template.destination(),
                template.event(), template.tweaks(), template.priority(), 0, template.deadline(), template.createdAt());
        Delivery nulId = new Delivery("bad\u0000id", "n\u0000", template.room(), template.destination(),
                template.event(), template.tweaks(), template.priority(), 0, template.deadline(), template.createdAt());

        produce(longId);
        produce(nulId);
        produce(good);

        awaitState(good.id(), "delivered");
        List<String> reasons = KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.DELIVERIES_DLQ,
                r -> r.value().contains("\"room\":\"contract\"") && r.value().contains(template.notificationId().substring(0, 8))
                        || r.value().contains("bad\\u0000id"), 2, WAIT)
                .stream().map(r -> KafkaRecords.header(r, "dead-letter-reason")).toList();
        assertThat(reasons).anySatisfy(r -> assertThat(r).contains("'id' is longer than 64"))
                .anySatisfy(r -> assertThat(r).contains("'id' contains control characters"));
    }

    @Test
    void loggingInAgainIsOneLoginPerAccountAndATemporaryFailureIsRetried() {
        String account = account("single", homeserver.baseUrl(),
                ",\"user_id\":\"@single:example.org\",\"device_id\":\"DEV\",\"password\":\"pw\"");
        String loginScenario = "login-" + account;
        homeserver.stubFor(post(urlEqualTo("/_matrix/client/v3/login")).inScenario(loginScenario)
                .whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(503).withFixedDelay(300))
                .willSetStateTo("up"));
        homeserver.stubFor(post(urlEqualTo("/_matrix/client/v3/login")).inScenario(loginScenario).whenScenarioStateIs("up")
                .willReturn(okJson("{\"access_token\":\"fresh-" + account + "\",\"device_id\":\"DEV\"}").withFixedDelay(300)));
        List<Delivery> sent = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String room = room();
            homeserver.stubFor(put(urlPathMatching(sendsTo(room))).withHeader("Authorization", equalTo("Bearer token-" + account))
                    .willReturn(aResponse().withStatus(401).withBody("{\"errcode\":\"M_UNKNOWN_TOKEN\",\"error\":\"gone\"}")));
            homeserver.stubFor(put(urlPathMatching(sendsTo(room))).withHeader("Authorization", equalTo("Bearer fresh-" + account))
                    .willReturn(okJson("{\"event_id\":\"$fresh\"}")));
            Delivery d = delivery(account, room, "single");
            sent.add(d);
            produce(d);
        }

        sent.forEach(d -> awaitState(d.id(), "delivered"));
        int logins = homeserver.findAll(postRequestedFor(urlEqualTo("/_matrix/client/v3/login"))).size();
        assertThat(logins).as("logins for 8 deliveries that found the token unknown (one failed with 503)")
                .isBetween(2, 3);
    }

    @Test
    void aNeverAnsweringHomeserverDoesNotHoldUpAHealthyOne() {
        WireMockServer silent = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        silent.start();
        try {
            String mute = account("mute", silent.baseUrl(), "");
            String ok = account("ok", homeserver.baseUrl(), "");
            // Accepts the connection and answers only long after the request timeout (2 s in tests).
            silent.stubFor(put(urlPathMatching("/_matrix/client/v3/rooms/.*")).willReturn(okJson("{}").withFixedDelay(20_000)));
            String healthy = room();
            homeserver.stubFor(put(urlPathMatching(sendsTo(healthy))).willReturn(okJson("{\"event_id\":\"$h\"}")));
            // Four times as many as may be in memory (max-in-flight is 50 in tests), over 40 rooms.
            List<Delivery> stuck = new ArrayList<>();
            List<String> muteRooms = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                muteRooms.add(room());
            }
            for (int i = 0; i < 200; i++) {
                Delivery d = delivery(mute, muteRooms.get(i % 40), "mute");
                stuck.add(d);
                produce(d);
            }
            List<Delivery> fine = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Delivery d = delivery(ok, healthy, "ok");
                fine.add(d);
                produce(d);
            }

            long start = System.nanoTime();
            fine.forEach(d -> awaitState(d.id(), "delivered"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("healthy room beside a never-answering homeserver: 20 deliveries in %d ms%n", millis);
            assertThat(stuck).as("none of the silent homeserver's deliveries went anywhere")
                    .allSatisfy(d -> assertThat(state(d.id())).isNotEqualTo("delivered"));
            List<LoggedRequest> puts = homeserver.findAll(putRequestedFor(urlPathMatching(sendsTo(healthy))));
            assertThat(puts.stream().sorted(Comparator.comparing(LoggedRequest::getLoggedDate))
                    .map(r -> deliveryIdOf(r.getUrl())).distinct().toList())
                    .containsExactlyElementsOf(fine.stream().map(Delivery::id).toList());
        } finally {
            silent.stop();
        }
    }

    @Test
    void aDeadHostOpensItsCircuitAndEverythingParkedDrainsInOrderRightAfterItRecovers() {
        String account = account("outage", homeserver.baseUrl(), "");
        List<String> rooms = List.of(room(), room(), room());
        rooms.forEach(r -> homeserver.stubFor(put(urlPathMatching(sendsTo(r))).atPriority(5)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER))));
        List<Delivery> sent = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            Delivery d = delivery(account, rooms.get(i % 3), "outage");
            sent.add(d);
            produce(d);
        }
        await().atMost(WAIT).until(() -> sent.stream().allMatch(d -> "retrying".equals(state(d.id())) || isParked(d)));

        rooms.forEach(r -> homeserver.stubFor(put(urlPathMatching(sendsTo(r))).atPriority(1)
                .willReturn(okJson("{\"event_id\":\"$back\"}"))));
        long recovered = System.nanoTime();
        sent.forEach(d -> awaitState(d.id(), "delivered"));
        System.out.printf("after the outage: 15 parked deliveries delivered %d ms after the host answered again%n",
                (System.nanoTime() - recovered) / 1_000_000);
        for (String r : rooms) {
            List<String> order = homeserver.findAll(putRequestedFor(urlPathMatching(sendsTo(r)))).stream()
                    .sorted(Comparator.comparing(LoggedRequest::getLoggedDate)).map(q -> deliveryIdOf(q.getUrl()))
                    .distinct().toList();
            assertThat(order).as("first attempts in acceptance order, room %s", r).containsExactlyElementsOf(
                    sent.stream().filter(d -> d.destination().matrixRoom().roomId().equals(r)).map(Delivery::id).toList());
        }
    }

    @Test
    void deadLettersOfADestinationAreReplayedInTheOrderTheyWereAccepted() {
        String account = account("replay", homeserver.baseUrl(), "");
        String room = room();
        String roomKey = "replay-" + room.substring(1, 9);
        homeserver.stubFor(put(urlPathMatching(sendsTo(room))).atPriority(5).willReturn(aResponse().withStatus(403)
                .withBody("{\"errcode\":\"M_FORBIDDEN\",\"error\":\"not in room\"}")));
        Instant base = Instant.parse("2026-12-01T10:00:00Z");
        List<Delivery> accepted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Delivery d = delivery(account, room, roomKey);
            accepted.add(new Delivery(d.id(), d.notificationId(), d.room(), d.destination(), d.event(), d.tweaks(),
                    d.priority(), 0, d.deadline(), d.createdAt(), d.tenant(), base.plusSeconds(i)));
        }
        // They die in another order than they were accepted in (e.g. a producer's retries).
        for (int i : new int[] {3, 0, 4, 1, 2}) {
            produce(accepted.get(i));
            awaitState(accepted.get(i).id(), "dead");
        }

        homeserver.stubFor(put(urlPathMatching(sendsTo(room))).atPriority(1).willReturn(okJson("{\"event_id\":\"$again\"}")));
        Auth.admin().post("/v1/dead-letters/replay?room=" + roomKey).then().statusCode(202)
                .body("replayed", org.hamcrest.Matchers.equalTo(5));
        accepted.forEach(d -> awaitState(d.id(), "delivered"));

        List<String> replayOrder = homeserver.findAll(putRequestedFor(urlPathMatching(sendsTo(room)))).stream()
                .sorted(Comparator.comparing(LoggedRequest::getLoggedDate)).skip(5).map(r -> deliveryIdOf(r.getUrl())).toList();
        assertThat(replayOrder).containsExactlyElementsOf(accepted.stream().map(Delivery::id).toList());
    }

    private boolean isParked(Delivery d) {
        try {
            return lot.next(d.destination().key(), 100).stream().anyMatch(r -> r.delivery().id().equals(d.id()));
        } catch (java.sql.SQLException e) {
            return false;
        }
    }
}

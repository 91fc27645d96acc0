package io.herald.dispatcher;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.MatrixEvent;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.herald.testsupport.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the operator console reads from the dispatcher: the overview and a room's latest deliveries. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ConsoleApiTest {

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

    private static Delivery delivery(String account, String roomId, String room, String tenant) {
        Destination destination = Destination.room(account, roomId);
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        return new Delivery(Delivery.idFor(id, destination), id, room, destination,
                MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", "hi")), Map.of(), "high", 0,
                now.plus(Duration.ofHours(1)), now, tenant, now);
    }

    @Test
    void theOverviewCountsRecentSendsPerAccountAndTheTimelineListsARoomsLatestDeliveries() {
        String account = Deliveries.account("console", homeserver.baseUrl(), "");
        String good = Deliveries.room();
        String forbidden = Deliveries.room();
        homeserver.stubFor(put(urlPathMatching("/_matrix/client/v3/rooms/" + good.replace("!", "%21")
                .replace(":", "%3A") + "/send/.*")).willReturn(okJson("{\"event_id\":\"$ok\"}")));
        homeserver.stubFor(put(urlPathMatching("/_matrix/client/v3/rooms/" + forbidden.replace("!", "%21")
                .replace(":", "%3A") + "/send/.*")).willReturn(aResponse().withStatus(403)
                .withBody("{\"errcode\":\"M_FORBIDDEN\",\"error\":\"not in room\"}")));
        String room = "console-" + UUID.randomUUID().toString().substring(0, 8);
        Delivery first = delivery(account, good, room, "tenant-a");
        Delivery second = delivery(account, good, room, "tenant-a");
        Delivery dead = delivery(account, forbidden, room + "-x", "tenant-b");
        Deliveries.produce(first);
        Deliveries.produce(second);
        Deliveries.produce(dead);

        await().atMost(Deliveries.WAIT).until(() -> Auth.admin().queryParam("room", room).get("/v1/deliveries")
                .then().extract().jsonPath().getList("delivery_id").size() == 2
                && Auth.admin().get("/v1/deliveries/" + dead.id()).statusCode() == 200);
        Auth.admin().queryParam("room", room).get("/v1/deliveries").then().statusCode(200).body("", hasSize(2))
                .body("[0].delivery_id", equalTo(second.id())).body("[0].state", equalTo("delivered"))
                .body("[0].matrix_event_id", equalTo("$ok"));
        Auth.admin().queryParam("room", room).queryParam("limit", 1).get("/v1/deliveries").then().body("", hasSize(1));
        Auth.admin().queryParam("room", "bad room").get("/v1/deliveries").then().statusCode(400);
        // an operator of another tenant sees none of them
        Auth.as(TestTokens.TENANT_OPERATOR).queryParam("room", room).get("/v1/deliveries").then().statusCode(200)
                .body("", hasSize(0));

        String accountId = account;
        // the overview is computed at most every 2 s per tenant (OverviewResource.REUSE)
        await().atMost(Deliveries.WAIT).untilAsserted(() -> Auth.admin().get("/v1/overview").then().statusCode(200)
                .body("backlog.dead", greaterThanOrEqualTo(1))
                .body("homeservers.account", hasItem(accountId))
                .body("homeservers.find { it.account == '" + accountId + "' }.delivered", greaterThanOrEqualTo(2))
                .body("homeservers.find { it.account == '" + accountId + "' }.failed", greaterThanOrEqualTo(1))
                .body("homeservers.find { it.account == '" + accountId + "' }.last_error",
                        org.hamcrest.Matchers.containsString("403")));
        Auth.as(TestTokens.TENANT_OPERATOR).get("/v1/overview").then().statusCode(200)
                .body("homeservers.account", org.hamcrest.Matchers.not(hasItem(accountId)))
                .body("circuits.size()", equalTo(0));
    }
}

package io.herald.rules;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.herald.common.Delivery;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.NotificationEvent;
import io.herald.common.Topics;
import io.herald.testsupport.EndpointSecurity;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.herald.testsupport.TestTokens;
import io.herald.testsupport.WhoamiHomeserver;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Who may call what on the rules-service: every operation of the OpenAPI document, rooms by tenant, and Matrix users
 * on their own push rules and pushers (their access tokens checked by a WireMock homeserver's whoami).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(WhoamiHomeserver.class)
class AccessTest {

    private static final Set<String> ADMIN = Set.of("admin");
    private static final Set<String> MATRIX_USER = Set.of("admin", "matrix-user");
    private static final String ALICE = "@alice:example.org";

    /** The roles each operation allows. A new operation fails the test until it is added here. */
    static final Map<String, Set<String>> ROLES = Map.ofEntries(
            Map.entry("GET /v1/rooms", ADMIN),
            Map.entry("GET /v1/rooms/{room}", ADMIN),
            Map.entry("PUT /v1/rooms/{room}", ADMIN),
            Map.entry("DELETE /v1/rooms/{room}", ADMIN),
            Map.entry("GET /v1/rooms/{room}/members", ADMIN),
            Map.entry("PUT /v1/rooms/{room}/members/{userId}", ADMIN),
            Map.entry("DELETE /v1/rooms/{room}/members/{userId}", ADMIN),
            Map.entry("POST /v1/push-rules/evaluate", Set.of("operator")),
            Map.entry("GET /v1/matrix-rooms/{roomId}", Set.of("operator")),
            Map.entry("GET /v1/notifications/{id}/evaluation", Set.of("operator")),
            Map.entry("GET /v1/users/{userId}/notifications", MATRIX_USER),
            Map.entry("GET /v1/users/{userId}/pushrules", MATRIX_USER),
            Map.entry("GET /v1/users/{userId}/pushrules/global", MATRIX_USER),
            Map.entry("GET /v1/users/{userId}/pushrules/global/{kind}", MATRIX_USER),
            Map.entry("GET /v1/users/{userId}/pushrules/global/{kind}/{ruleId}", MATRIX_USER),
            Map.entry("GET /v1/users/{userId}/pushrules/global/{kind}/{ruleId}/{attr}", MATRIX_USER),
            Map.entry("PUT /v1/users/{userId}/pushrules/global/{kind}/{ruleId}/{attr}", MATRIX_USER),
            Map.entry("PUT /v1/users/{userId}/pushrules/global/{kind}/{ruleId}", MATRIX_USER),
            Map.entry("DELETE /v1/users/{userId}/pushrules/global/{kind}/{ruleId}", MATRIX_USER),
            Map.entry("GET /v1/users/{userId}/pushrules/global/{kind}/{ruleId}/enabled", MATRIX_USER),
            Map.entry("PUT /v1/users/{userId}/pushrules/global/{kind}/{ruleId}/enabled", MATRIX_USER),
            Map.entry("GET /v1/users/{userId}/pushrules/global/{kind}/{ruleId}/actions", MATRIX_USER),
            Map.entry("PUT /v1/users/{userId}/pushrules/global/{kind}/{ruleId}/actions", MATRIX_USER),
            Map.entry("GET /v1/users/{userId}/pushers", MATRIX_USER),
            Map.entry("POST /v1/users/{userId}/pushers/set", MATRIX_USER));

    @Test
    void everyOperationRefusesMissingCredentialsAndWrongRoles() {
        // No operation is public on the rules-service. The sample {userId} is Alice's, so her token is allowed there.
        EndpointSecurity.assertEveryOperation(ROLES, Set.of(), Map.of("admin", TestTokens.ADMIN, "operator",
                TestTokens.OPERATOR, "matrix-user", WhoamiHomeserver.ALICE), Map.of());
    }

    @Test
    void anAdminOfATenantSeesAndManagesOnlyItsRooms() {
        String other = "other-" + UUID.randomUUID();
        Auth.admin().contentType("application/json").body("{\"tenant\":\"other\"}").put("/v1/rooms/" + other)
                .then().statusCode(201).body("tenant", equalTo("other"));
        String own = "acme-" + UUID.randomUUID();
        Auth.as(TestTokens.TENANT_ADMIN).contentType("application/json").body("{}").put("/v1/rooms/" + own)
                .then().statusCode(201).body("tenant", equalTo(TestTokens.TENANT));

        Auth.as(TestTokens.TENANT_ADMIN).get("/v1/rooms").then().statusCode(200).body("room", hasItem(own))
                .body("room", not(hasItem(other))).body("tenant", everyItem(equalTo(TestTokens.TENANT)));
        Auth.as(TestTokens.TENANT_ADMIN).get("/v1/rooms/" + other).then().statusCode(404)
                .contentType("application/problem+json");
        Auth.as(TestTokens.TENANT_ADMIN).delete("/v1/rooms/" + other).then().statusCode(404);
        Auth.as(TestTokens.TENANT_ADMIN).get("/v1/rooms/" + other + "/members").then().statusCode(404);
        Auth.as(TestTokens.TENANT_ADMIN).contentType("application/json").body("{}")
                .put("/v1/rooms/" + other + "/members/" + ALICE).then().statusCode(404);
        Auth.as(TestTokens.TENANT_ADMIN).contentType("application/json").body("{}").put("/v1/rooms/" + other)
                .then().statusCode(409).body("detail", containsString("another tenant"));
        Auth.as(TestTokens.TENANT_ADMIN).contentType("application/json").body("{\"tenant\":\"other\"}")
                .put("/v1/rooms/" + own).then().statusCode(403);
        Auth.as(TestTokens.TENANT_OPERATOR).contentType("application/json")
                .body("{\"room\":\"" + other + "\",\"event\":{\"type\":\"m.room.message\",\"content\":{}}}")
                .post("/v1/push-rules/evaluate").then().statusCode(404);
        Auth.as(TestTokens.TENANT_OPERATOR).contentType("application/json")
                .body("{\"room\":\"" + own + "\",\"event\":{\"type\":\"m.room.message\",\"content\":{}}}")
                .post("/v1/push-rules/evaluate").then().statusCode(200);

        // its own rooms: members, update (the owner stays), delete
        Auth.as(TestTokens.TENANT_ADMIN).contentType("application/json").body("{}")
                .put("/v1/rooms/" + own + "/members/" + ALICE).then().statusCode(201);
        Auth.as(TestTokens.TENANT_ADMIN).contentType("application/json")
                .body("{\"matrix_room_id\":\"!acme:example.org\",\"account\":\"bot\"}").put("/v1/rooms/" + own)
                .then().statusCode(200).body("tenant", equalTo(TestTokens.TENANT));
        Auth.as(TestTokens.TENANT_ADMIN).delete("/v1/rooms/" + own).then().statusCode(204);
        // the admin of every tenant still sees the other room
        Auth.admin().get("/v1/rooms/" + other).then().statusCode(200);
    }

    @Test
    void aDeliveryCarriesTheTenantOfItsRoom() {
        String room = "tenant-delivery-" + UUID.randomUUID();
        Auth.as(TestTokens.TENANT_ADMIN).contentType("application/json")
                .body("{\"matrix_room_id\":\"!t:example.org\",\"account\":\"bot\"}").put("/v1/rooms/" + room)
                .then().statusCode(201);
        NotificationEvent notification = new NotificationEvent(UUID.randomUUID().toString(), room,
                MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", "hi")), Instant.now(),
                "test");
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.NOTIFICATIONS, room, Json.encode(notification));
        Delivery delivery = Json.decodeDelivery(KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.DELIVERIES,
                r -> r.value().contains(notification.id()), 1, Duration.ofSeconds(60)).get(0).value());
        assertThat(delivery.tenant()).isEqualTo(TestTokens.TENANT);
    }

    @Test
    void anEvaluationIsSeenOnlyWithinItsTenant() {
        String room = "tenant-evaluation-" + UUID.randomUUID();
        Auth.admin().contentType("application/json").body("{\"tenant\":\"other\"}").put("/v1/rooms/" + room)
                .then().statusCode(201);
        Auth.admin().contentType("application/json").body("{}").put("/v1/rooms/" + room + "/members/@eve:example.org")
                .then().statusCode(201);
        Auth.admin().contentType("application/json").body(PusherResourceTest.pusher("com.example.app", "eve-phone",
                "https://gw.example.org/_matrix/push/v1/notify", "")).post("/v1/users/@eve:example.org/pushers/set")
                .then().statusCode(200);
        NotificationEvent notification = new NotificationEvent(UUID.randomUUID().toString(), room,
                MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", "hi")), Instant.now(),
                "test");
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.NOTIFICATIONS, room, Json.encode(notification));
        KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.DELIVERIES,
                r -> r.value().contains(notification.id()), 1, Duration.ofSeconds(60));
        String path = "/v1/notifications/" + notification.id() + "/evaluation";
        Auth.admin().get(path).then().statusCode(200).body("members.user_id", hasItem("@eve:example.org"));
        Auth.as(TestTokens.TENANT_OPERATOR).get(path).then().statusCode(404);
    }

    @Test
    void aMatrixUserManagesTheirOwnPushRulesAndPushersWithTheirAccessToken() {
        String rule = "/v1/users/" + ALICE + "/pushrules/global/content/herald-own";
        Auth.as(WhoamiHomeserver.ALICE).contentType("application/json")
                .body("{\"pattern\":\"deploy\",\"actions\":[\"notify\"]}").put(rule).then().statusCode(200);
        Auth.as(WhoamiHomeserver.ALICE).get(rule).then().statusCode(200).body("pattern", equalTo("deploy"));
        Auth.as(WhoamiHomeserver.ALICE).contentType("application/json").body("{\"app_id\":\"a\",\"pushkey\":\"k\","
                + "\"kind\":\"http\",\"app_display_name\":\"A\",\"device_display_name\":\"D\",\"lang\":\"en\","
                + "\"data\":{\"url\":\"https://push.example.org/_matrix/push/v1/notify\"}}")
                .post("/v1/users/" + ALICE + "/pushers/set").then().statusCode(200);
        Auth.as(WhoamiHomeserver.ALICE).get("/v1/users/" + ALICE + "/pushers").then().statusCode(200)
                .body("pushers.pushkey", hasItem("k"));

        // Bob may not touch Alice's: 403 M_FORBIDDEN, as a homeserver would answer, before anything changes
        Auth.as(WhoamiHomeserver.BOB).contentType("application/json").body("{\"actions\":[]}").put(rule)
                .then().statusCode(403).contentType("application/json").body("errcode", equalTo("M_FORBIDDEN"))
                .body("error", containsString("own"));
        Auth.as(WhoamiHomeserver.BOB).contentType("application/json").body("{\"app_id\":\"a\",\"pushkey\":\"k\","
                + "\"kind\":null}").post("/v1/users/" + ALICE + "/pushers/set").then().statusCode(403)
                .body("errcode", equalTo("M_FORBIDDEN"));
        Auth.as(WhoamiHomeserver.ALICE).get("/v1/users/" + ALICE + "/pushers").then().body("pushers.pushkey", hasItem("k"));
        given().get(rule).then().statusCode(401).header("WWW-Authenticate", startsWith("Bearer"))
                .body("errcode", equalTo("M_MISSING_TOKEN"));
        Auth.as("syt_stolen_or_expired").get(rule).then().statusCode(401).body("errcode", equalTo("M_UNKNOWN_TOKEN"));
        Auth.as(TestTokens.TENANT_ADMIN).get(rule).then().statusCode(403).body("errcode", equalTo("M_FORBIDDEN"));
        Auth.as(TestTokens.OPERATOR).get(rule).then().statusCode(403).body("errcode", equalTo("M_FORBIDDEN"));
        // an admin of every tenant manages anyone's
        Auth.admin().delete(rule).then().statusCode(200);
        Auth.as(WhoamiHomeserver.ALICE).get(rule).then().statusCode(404).body("errcode", equalTo("M_NOT_FOUND"));
        // a Matrix user is nobody on Herald's own APIs
        Auth.as(WhoamiHomeserver.ALICE).get("/v1/rooms").then().statusCode(403).contentType("application/problem+json");
    }
}

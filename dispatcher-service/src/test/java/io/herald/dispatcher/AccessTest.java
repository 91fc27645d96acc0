package io.herald.dispatcher;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.herald.testsupport.EndpointSecurity;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.herald.testsupport.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who may call what on the dispatcher: every operation of the OpenAPI document (dev sink on), and tenant limits. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@TestProfile(AccessTest.DevSinkOn.class)
class AccessTest {

    public static class DevSinkOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("herald.dev-sink.enabled", "true");
        }
    }

    private static final Set<String> ADMIN = Set.of("admin");
    private static final Set<String> OPERATOR = Set.of("operator");

    /** The roles each operation allows. A new operation fails the test until it is added here. */
    static final Map<String, Set<String>> ROLES = Map.ofEntries(
            Map.entry("POST /v1/matrix-accounts", ADMIN),
            Map.entry("GET /v1/matrix-accounts", ADMIN),
            Map.entry("GET /v1/matrix-accounts/{id}", ADMIN),
            Map.entry("DELETE /v1/matrix-accounts/{id}", ADMIN),
            Map.entry("POST /v1/matrix-accounts/{id}/join", ADMIN),
            Map.entry("GET /v1/matrix-accounts/{id}/token", ADMIN),
            Map.entry("GET /v1/deliveries/{id}", OPERATOR),
            Map.entry("GET /v1/deliveries", OPERATOR),
            Map.entry("GET /v1/overview", OPERATOR),
            Map.entry("GET /v1/dead-letters", OPERATOR),
            Map.entry("DELETE /v1/dead-letters", OPERATOR),
            Map.entry("GET /v1/dead-letters/{id}", OPERATOR),
            Map.entry("DELETE /v1/dead-letters/{id}", OPERATOR),
            Map.entry("POST /v1/dead-letters/{id}/replay", OPERATOR),
            Map.entry("POST /v1/dead-letters/replay", OPERATOR),
            Map.entry("GET /dev/sink", OPERATOR),
            Map.entry("DELETE /dev/sink", OPERATOR),
            Map.entry("POST /v1/secrets/rotate", ADMIN),
            Map.entry("GET /v1/notifications/{id}", OPERATOR),
            Map.entry("GET /v1/rooms/{room}/queue", OPERATOR),
            Map.entry("GET /v1/rooms/{room}/queue/held", OPERATOR),
            Map.entry("DELETE /v1/rooms/{room}/queue", OPERATOR),
            Map.entry("POST /v1/rooms/{room}/queue/flush", OPERATOR));

    /**
     * Public on purpose, and only while herald.dev-sink.enabled=true (else 404): the dev sink's fake homeserver, which
     * the dispatcher itself calls with an account's Matrix token (no Herald credential; it only records), and the sink's
     * page, which holds no data (its script reads GET /dev/sink with an operator token).
     */
    static final Set<String> PUBLIC = Set.of(
            "PUT /dev/homeserver/_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}",
            "PUT /dev/homeserver/_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}",
            "GET /dev/sink.html");

    @Test
    void everyOperationRefusesMissingCredentialsAndWrongRoles() {
        EndpointSecurity.assertEveryOperation(ROLES, PUBLIC,
                Map.of("admin", TestTokens.ADMIN, "operator", TestTokens.OPERATOR), Map.of());
    }

    @Test
    void callersLimitedToATenantMayNotUseWhatIsSharedOrNotYetSeparatedByTenant() {
        // Matrix accounts post into every tenant's rooms, the secrets are every tenant's, the dev sink records all
        // (deliveries and dead letters are scoped by tenant: TenantScopeTest)
        for (String path : new String[] {"/v1/matrix-accounts", "/dev/sink"}) {
            Auth.as(TestTokens.TENANT_ADMIN).get(path).then().statusCode(403).contentType("application/problem+json")
                    .body("detail", containsString(TestTokens.TENANT));
        }
        Auth.as(TestTokens.TENANT_ADMIN).post("/v1/secrets/rotate").then().statusCode(403);
        Auth.as(TestTokens.OPERATOR).get("/v1/dead-letters").then().statusCode(200);
        Auth.as(TestTokens.OPERATOR).get("/v1/matrix-accounts").then().statusCode(403)
                .body("detail", containsString("admin"));
    }

    @Test
    void theDevSinkRecordsWhatTheFakeHomeserverGotAndShowsItToOperatorsOnly() {
        // the dispatcher posts with the account's Matrix token, which is no Herald credential
        given().header("Authorization", "Bearer dev").contentType("application/json").body("{\"msgtype\":\"m.text\","
                + "\"body\":\"for operators only\"}").put("/dev/homeserver/_matrix/client/v3/rooms/!r:dev/send/"
                        + "m.room.message/access-test-1").then().statusCode(200);
        given().get("/dev/sink").then().statusCode(401);
        Auth.as(TestTokens.OPERATOR).get("/dev/sink").then().statusCode(200)
                .body("content.body", hasItem("for operators only"));
        // the page holds no data: its script fetches /dev/sink with the token
        given().get("/dev/sink.html").then().statusCode(200).contentType("text/html")
                .body(not(containsString("for operators only"))).body(containsString("Bearer"));
        Auth.as(TestTokens.OPERATOR).delete("/dev/sink").then().statusCode(204);
        Auth.as(TestTokens.OPERATOR).get("/dev/sink").then().statusCode(200).body("size()", equalTo(0));
    }
}

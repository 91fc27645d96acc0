package io.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.herald.testsupport.EndpointSecurity;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.herald.testsupport.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who may call what on ingest: every operation of the OpenAPI document, and the tenant scope of the admin API. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class AccessTest {

    private static final Set<String> PUBLISHER = Set.of("publisher");
    private static final Set<String> ADMIN = Set.of("admin");

    /** The roles each operation allows. A new operation fails the test until it is added here. */
    static final Map<String, Set<String>> ROLES = Map.ofEntries(
            Map.entry("POST /v1/rooms/{room}/notifications", PUBLISHER),
            Map.entry("POST /v1/rooms/{room}/events", PUBLISHER),
            Map.entry("POST /v1/rooms/{room}/send", PUBLISHER),
            Map.entry("PUT /v1/rooms/{room}/send", PUBLISHER),
            Map.entry("GET /v1/rooms/{room}/send", PUBLISHER),
            Map.entry("POST /v1/rooms/{room}/webhooks/alertmanager", PUBLISHER),
            Map.entry("POST /v1/rooms/{room}/webhooks/{name}", PUBLISHER),
            Map.entry("POST /v1/admin/api-keys", ADMIN),
            Map.entry("GET /v1/admin/api-keys", ADMIN),
            Map.entry("GET /v1/admin/api-keys/{id}", ADMIN),
            Map.entry("DELETE /v1/admin/api-keys/{id}", ADMIN),
            Map.entry("GET /v1/notifications/{id}", PUBLISHER),
            Map.entry("PUT /v1/notifications/{id}", PUBLISHER),
            Map.entry("DELETE /v1/notifications/{id}", PUBLISHER),
            Map.entry("GET /v1/rooms/{room}/queue", PUBLISHER),
            Map.entry("DELETE /v1/rooms/{room}/queue", PUBLISHER),
            Map.entry("POST /v1/rooms/{room}/queue/flush", PUBLISHER),
            Map.entry("GET /v1/admin/templates", ADMIN),
            Map.entry("GET /v1/admin/templates/{name}", ADMIN),
            Map.entry("PUT /v1/admin/templates/{name}", ADMIN),
            Map.entry("DELETE /v1/admin/templates/{name}", ADMIN));

    @Test
    void everyOperationRefusesMissingCredentialsAndWrongRoles() {
        // No operation is public on ingest (OpenAPI, health and metrics are not REST operations of the document).
        EndpointSecurity.assertEveryOperation(ROLES, Set.of(), Map.of("admin", TestTokens.ADMIN, "operator",
                TestTokens.OPERATOR, "publisher", TestKeys.any().secret()), Map.of());
    }

    @Test
    void anAdminOfATenantManagesOnlyThatTenantsKeys() {
        String tenantAdmin = TestTokens.bearer(TestTokens.TENANT_ADMIN);
        TestKeys.Key other = TestKeys.create("other-tenant", "@o:example.org", List.of("*"), null, null);
        String own = given().header("Authorization", tenantAdmin).contentType("application/json")
                .body("{\"tenant\":\"" + TestTokens.TENANT + "\",\"rooms\":[\"ops\"]}").post("/v1/admin/api-keys")
                .then().statusCode(201).extract().path("id");
        given().header("Authorization", tenantAdmin).contentType("application/json")
                .body("{\"tenant\":\"other-tenant\",\"rooms\":[\"ops\"]}").post("/v1/admin/api-keys")
                .then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString(TestTokens.TENANT));
        given().header("Authorization", tenantAdmin).get("/v1/admin/api-keys").then().statusCode(200)
                .body("id", hasItem(own)).body("id", not(hasItem(other.id())))
                .body("tenant", everyItem(equalTo(TestTokens.TENANT)));
        given().header("Authorization", tenantAdmin).queryParam("tenant", "other-tenant").get("/v1/admin/api-keys")
                .then().statusCode(403);
        given().header("Authorization", tenantAdmin).get("/v1/admin/api-keys/" + other.id()).then().statusCode(404);
        given().header("Authorization", tenantAdmin).delete("/v1/admin/api-keys/" + other.id()).then().statusCode(404);
        given().header("Authorization", TestKeys.ADMIN).get("/v1/admin/api-keys/" + other.id()).then().statusCode(200)
                .body("revoked_at", equalTo(null));
        given().header("Authorization", tenantAdmin).delete("/v1/admin/api-keys/" + own).then().statusCode(204);
        // an admin of every tenant sees both
        given().header("Authorization", TestKeys.ADMIN).get("/v1/admin/api-keys").then().statusCode(200)
                .body("id", hasItem(own)).body("id", hasItem(other.id()));
    }

    @Test
    void onlyApiKeysPostNotificationsAndAServiceTokenIsNoPublisher() {
        for (String token : List.of(TestTokens.ADMIN, TestTokens.OPERATOR)) {
            given().header("Authorization", TestTokens.bearer(token)).contentType("application/json")
                    .body("{\"body\":\"hi\"}").post("/v1/rooms/ops/notifications").then().statusCode(403)
                    .contentType("application/problem+json").body("detail", containsString("publisher"));
        }
        given().header("Authorization", TestKeys.any().bearer()).contentType("application/json")
                .body("{\"body\":\"hi\"}").post("/v1/rooms/ops/notifications").then().statusCode(202);
    }
}

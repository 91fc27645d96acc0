package io.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.herald.common.NotificationEvent;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.herald.testsupport.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class AuthTest {

    private static final String NOTE = "{\"body\":\"hello\"}";

    @Test
    void missingMalformedAndUnknownKeysAre401BeforeTheBodyIsEvenParsed() {
        given().contentType("application/json").body(NOTE).post("/v1/rooms/ops/notifications")
                .then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer")).body("status", equalTo(401));
        given().header("Authorization", "Basic dXNlcjpwYXNz").contentType("application/json").body(NOTE)
                .post("/v1/rooms/ops/notifications").then().statusCode(401);
        given().header("Authorization", "Bearer hrld_not-a-real-key").contentType("application/json").body(NOTE)
                .post("/v1/rooms/ops/notifications").then().statusCode(401).body("detail", containsString("not valid"));
        // invalid JSON without credentials: authentication comes first
        given().contentType("application/json").body("{oops").post("/v1/rooms/ops/notifications").then().statusCode(401);
        for (String path : List.of("/v1/rooms/ops/events", "/v1/rooms/ops/webhooks/alertmanager", "/v1/rooms/ops/webhooks/ci")) {
            given().contentType("application/json").body("{}").post(path).then().statusCode(401);
        }
    }

    @Test
    void aKeyMayOnlyPostToItsRoomsAndItsSenderIsTheEventSender() {
        TestKeys.Key key = TestKeys.create("tenant-a", "@nas:example.org", List.of("nas", "backup"), null, null);
        given().header("Authorization", key.bearer()).contentType("application/json").body(NOTE)
                .post("/v1/rooms/ops/notifications")
                .then().statusCode(403).contentType("application/problem+json").body("detail", containsString("ops"));
        String marker = "sender-" + UUID.randomUUID();
        String id = given().header("Authorization", key.bearer()).contentType("application/json")
                .body("{\"body\":\"" + marker + "\"}").post("/v1/rooms/nas/notifications")
                .then().statusCode(202).extract().path("id");
        NotificationEvent event = Records.one(marker);
        assertThat(event.id()).isEqualTo(id);
        assertThat(event.event().sender()).isEqualTo("@nas:example.org");
        assertThat(io.herald.testsupport.KafkaRecords.header(Records.await(marker, 1).get(0), "herald-tenant"))
                .isEqualTo("tenant-a");
    }

    @Test
    void overTheRateLimitIs429WithRetryAfter() {
        TestKeys.Key key = TestKeys.create("tenant-slow", "@slow:example.org", List.of("*"), 0.01, 2);
        for (int i = 0; i < 2; i++) {
            given().header("Authorization", key.bearer()).contentType("application/json").body(NOTE)
                    .post("/v1/rooms/ops/notifications").then().statusCode(202);
        }
        Response limited = given().header("Authorization", key.bearer()).contentType("application/json").body(NOTE)
                .post("/v1/rooms/ops/notifications");
        limited.then().statusCode(429).contentType("application/problem+json");
        assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 100L);
        // another key is not affected
        given().header("Authorization", TestKeys.any().bearer()).contentType("application/json").body(NOTE)
                .post("/v1/rooms/ops/notifications").then().statusCode(202);
    }

    @Test
    void revokedKeysAre401AtOnce() {
        TestKeys.Key key = TestKeys.any();
        given().header("Authorization", key.bearer()).contentType("application/json").body(NOTE)
                .post("/v1/rooms/ops/notifications").then().statusCode(202);
        given().header("Authorization", TestKeys.ADMIN).delete("/v1/admin/api-keys/" + key.id()).then().statusCode(204);
        given().header("Authorization", key.bearer()).contentType("application/json").body(NOTE)
                .post("/v1/rooms/ops/notifications").then().statusCode(401);
        given().header("Authorization", TestKeys.ADMIN).get("/v1/admin/api-keys/" + key.id())
                .then().statusCode(200).body("revoked_at", notNullValue());
        given().header("Authorization", TestKeys.ADMIN).delete("/v1/admin/api-keys/key_doesnotexist").then().statusCode(404);
    }

    @Test
    void theAdminApiNeedsTheAdminRoleAndNeverShowsAKeyAgain() {
        given().get("/v1/admin/api-keys").then().statusCode(401).header("WWW-Authenticate", startsWith("Bearer"));
        given().header("Authorization", "Bearer wrong").get("/v1/admin/api-keys").then().statusCode(401);
        TestKeys.Key apiKey = TestKeys.any();
        // an API key is no admin, nor is an operator
        given().header("Authorization", apiKey.bearer()).get("/v1/admin/api-keys").then().statusCode(403)
                .contentType("application/problem+json").body("detail", containsString("admin"));
        given().header("Authorization", TestTokens.bearer(TestTokens.OPERATOR)).get("/v1/admin/api-keys")
                .then().statusCode(403);
        // the deprecated herald.ingest.admin-token still works (a service token with the admin role)
        given().header("Authorization", "Bearer test-admin-token").get("/v1/admin/api-keys").then().statusCode(200);

        String body = given().header("Authorization", TestKeys.ADMIN).get("/v1/admin/api-keys")
                .then().statusCode(200).body("id", hasItem(apiKey.id())).body("key", everyItem(nullValue()))
                .extract().asString();
        assertThat(body).doesNotContain(apiKey.secret());
        given().header("Authorization", TestKeys.ADMIN).get("/v1/admin/api-keys/" + apiKey.id())
                .then().statusCode(200).body("rooms", equalTo(List.of("*"))).body("key", nullValue())
                .body("sender", equalTo("@herald:localhost"));
        given().header("Authorization", TestKeys.ADMIN).queryParam("tenant", "no-such-tenant").get("/v1/admin/api-keys")
                .then().statusCode(200).body("size()", equalTo(0));
        assertThat(apiKey.secret()).startsWith("hrld_").hasSizeGreaterThan(40);
    }

    @Test
    void invalidKeyDefinitionsAre400WithTheFields() {
        given().header("Authorization", TestKeys.ADMIN).contentType("application/json")
                .body("{\"tenant\":\"bad tenant\",\"sender\":\"nobody\",\"rooms\":[]}")
                .post("/v1/admin/api-keys").then().statusCode(400)
                .body("errors.field", hasItem("tenant")).body("errors.field", hasItem("sender"))
                .body("errors.field", hasItem("rooms"));
        given().header("Authorization", TestKeys.ADMIN).contentType("application/json")
                .body("{\"tenant\":\"t\",\"rooms\":[\"ok\",\"not ok\"],\"rate_limit\":{\"per_second\":0,\"burst\":0}}")
                .post("/v1/admin/api-keys").then().statusCode(400)
                .body("errors.field", hasItem(startsWith("rooms")))
                .body("errors.field", hasItem("rate_limit.per_second"))
                .body("errors.field", hasItem("rate_limit.burst"));
        given().header("Authorization", TestKeys.ADMIN).get("/v1/admin/api-keys/key_nope").then().statusCode(404)
                .contentType("application/problem+json");
    }
}

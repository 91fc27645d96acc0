package io.herald.ingest;

import static io.restassured.RestAssured.given;

import io.herald.common.Json;
import io.herald.testsupport.TestTokens;
import java.util.List;
import java.util.Map;

/** API keys for tests, made through the admin API like an operator would. */
public final class TestKeys {

    /** {@code Authorization} of an admin of every tenant (a service token of test-support's {@link TestTokens}). */
    public static final String ADMIN = TestTokens.bearer(TestTokens.ADMIN);

    private TestKeys() {
    }

    public record Key(String id, String secret) {
        public String bearer() {
            return "Bearer " + secret;
        }
    }

    /** A key for every room, with a rate limit high enough not to get in the way. */
    public static Key any() {
        return create("t-" + System.nanoTime(), "@herald:localhost", List.of("*"), 100_000.0, 100_000);
    }

    public static Key create(String tenant, String sender, List<String> rooms, Double perSecond, Integer burst) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("tenant", tenant, "sender", sender, "rooms", rooms));
        if (perSecond != null) {
            body.put("rate_limit", Map.of("per_second", perSecond, "burst", burst));
        }
        var response = given().header("Authorization", ADMIN).contentType("application/json").body(Json.encode(body))
                .post("/v1/admin/api-keys").then().statusCode(201).extract();
        return new Key(response.path("id"), response.path("key"));
    }
}

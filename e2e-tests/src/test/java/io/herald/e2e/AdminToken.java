package io.herald.e2e;

import io.herald.testsupport.TestTokens;
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import io.restassured.config.HeaderConfig;

/**
 * The admin's service token of the services the e2e tests start: {@link ServiceProcess} gives each service its hash
 * as environment variables (as Compose and Kubernetes do), and RestAssured sends it by default. A request that sets
 * its own {@code Authorization} (a producer's API key) replaces it.
 */
final class AdminToken {

    static final String TOKEN = TestTokens.ADMIN;

    private AdminToken() {
    }

    /** {@code HERALD_AUTH_TOKENS_ADMIN_SHA256} and {@code _ROLES} for a service's environment. */
    static java.util.Map<String, String> environment() {
        return java.util.Map.of("HERALD_AUTH_TOKENS_ADMIN_SHA256", TestTokens.sha256(TOKEN),
                "HERALD_AUTH_TOKENS_ADMIN_ROLES", "admin");
    }

    static void sendByDefault() {
        RestAssured.requestSpecification = new RequestSpecBuilder()
                .addHeader("Authorization", TestTokens.bearer(TOKEN)).build();
        RestAssured.config = RestAssured.config().headerConfig(HeaderConfig.headerConfig()
                .overwriteHeadersWithName("Authorization", "Content-Type", "Accept"));
    }
}

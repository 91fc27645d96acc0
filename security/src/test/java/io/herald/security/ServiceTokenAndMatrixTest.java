package io.herald.security;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.herald.testsupport.WhoamiHomeserver;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Service tokens and Matrix access tokens, with OIDC off (no quarkus.oidc.auth-server-url: the service still starts). */
@QuarkusTest
@WithTestResource(WhoamiHomeserver.class)
class ServiceTokenAndMatrixTest {

    static final String ADMIN = "hrldt_test-admin";
    static final String OPERATOR = "hrldt_test-operator";
    static final String ACME_ADMIN = "hrldt_test-acme-admin";

    @ConfigProperty(name = "test.homeserver.port", defaultValue = "0") // default: another test class runs
    int homeserverPort;

    static RequestSpecification bearer(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    @Test
    void withoutCredentialsEveryCheckedEndpointIs401ProblemWithAChallenge() {
        for (String path : new String[] {"/probe/admin", "/probe/operator"}) {
            given().get(path).then().statusCode(401).contentType("application/problem+json")
                    .header("WWW-Authenticate", startsWith("Bearer")).body("status", equalTo(401))
                    .body("detail", containsString("Authorization: Bearer"));
        }
        // a scheme other than Bearer is no credential either
        given().header("Authorization", "Basic dXNlcjpwYXNz").get("/probe/admin").then().statusCode(401);
    }

    @Test
    void serviceTokensCarryTheirRolesAndAnAdminIsAlsoAnOperator() {
        bearer(ADMIN).get("/probe/admin").then().statusCode(200).body("name", equalTo("admin"))
                .body("roles", hasItems("admin", "operator")).body("kind", equalTo("SERVICE_TOKEN"))
                .body("tenant", equalTo(""));
        bearer(ADMIN).get("/probe/operator").then().statusCode(200);
        bearer(OPERATOR).get("/probe/operator").then().statusCode(200).body("roles", not(hasItems("admin")));
        bearer(OPERATOR).get("/probe/admin").then().statusCode(403).contentType("application/problem+json")
                .body("status", equalTo(403)).body("detail", containsString("admin"));
        bearer(ACME_ADMIN).get("/probe/admin").then().statusCode(200).body("tenant", equalTo("acme"));
        // a token from a ServiceTokenSource, without the hrldt_ prefix (ingest's deprecated admin token)
        bearer(LegacyToken.TOKEN).get("/probe/admin").then().statusCode(200).body("name", equalTo("legacy"));
    }

    @Test
    void whatIsNotSeparatedByTenantIsForCallersOfEveryTenantOnly() {
        bearer(ADMIN).get("/probe/shared").then().statusCode(200);
        bearer(OPERATOR).get("/probe/shared").then().statusCode(200);
        bearer(ACME_ADMIN).get("/probe/shared").then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("acme"));
        given().get("/probe/shared").then().statusCode(401);
        bearer("hrldt_not-configured").get("/probe/shared").then().statusCode(401);
    }

    @Test
    void unknownTokensAre401WithTheReason() {
        bearer("hrldt_not-configured").get("/probe/operator").then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", startsWith("Bearer"))
                .body("detail", equalTo("unknown service token"));
        bearer("hrld_an-api-key").get("/probe/operator").then().statusCode(401)
                .body("detail", containsString("accepted by ingest only"));
        // OIDC is off: a JWT is just another unknown token (here the homeserver does not know it either)
        bearer("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln").get("/probe/operator").then().statusCode(401);
        // the configured hash itself is not a token
        bearer("6407fa1c48ccb463d5c36fa1818232e62f1108209ed515200724e203af30d896").get("/probe/operator")
                .then().statusCode(401);
    }

    @Test
    void anEndpointWithoutSecurityAnnotationRefusesEveryone() {
        given().body("x").post("/probe/unannotated").then().statusCode(401);
        bearer(ADMIN).body("x").post("/probe/unannotated").then().statusCode(403).body(not(containsString("reached")));
    }

    @Test
    void aMatrixUserManagesOnlyThemselvesAndDenialsAreMatrixErrors() {
        bearer("syt_alice").get("/probe/users/@alice:example.org").then().statusCode(200)
                .body("name", equalTo("@alice:example.org")).body("kind", equalTo("MATRIX_USER"))
                .body("roles", hasItems("matrix-user"));
        bearer("syt_bob").get("/probe/users/@alice:example.org").then().statusCode(403)
                .contentType("application/json").body("errcode", equalTo("M_FORBIDDEN"))
                .body("error", containsString("your own"));
        given().get("/probe/users/@alice:example.org").then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer")).body("errcode", equalTo("M_MISSING_TOKEN"));
        bearer("syt_unknown").get("/probe/users/@alice:example.org").then().statusCode(401)
                .body("errcode", equalTo("M_UNKNOWN_TOKEN"));
        // Herald's own tokens there: an unscoped admin may manage anyone, an operator no one, a tenant admin no one
        bearer(ADMIN).get("/probe/users/@alice:example.org").then().statusCode(200);
        bearer(OPERATOR).get("/probe/users/@alice:example.org").then().statusCode(403)
                .body("errcode", equalTo("M_FORBIDDEN"));
        bearer(ACME_ADMIN).get("/probe/users/@alice:example.org").then().statusCode(403)
                .body("errcode", equalTo("M_FORBIDDEN"));
        bearer("hrldt_not-configured").get("/probe/users/@alice:example.org").then().statusCode(401)
                .body("errcode", equalTo("M_UNKNOWN_TOKEN"));
        // a Matrix user is no admin of Herald's own APIs
        bearer("syt_alice").get("/probe/admin").then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void whoamiAnswersAreRememberedAndAFailingHomeserverIs503() {
        WireMock homeserver = WireMock.create().port(homeserverPort).build();
        for (int i = 0; i < 3; i++) {
            bearer("syt_bob").get("/probe/users/@bob:example.org").then().statusCode(200);
            bearer("syt_forgotten").get("/probe/users/@bob:example.org").then().statusCode(401);
        }
        homeserver.verifyThat(1, getRequestedFor(urlEqualTo(WhoamiHomeserver.WHOAMI))
                .withHeader("Authorization", WireMock.equalTo("Bearer syt_bob")));
        homeserver.verifyThat(1, getRequestedFor(urlEqualTo(WhoamiHomeserver.WHOAMI))
                .withHeader("Authorization", WireMock.equalTo("Bearer syt_forgotten")));
        // the homeserver cannot say: 503 with Retry-After, and not remembered (asked again next time)
        for (int i = 0; i < 2; i++) {
            bearer("syt_broken").get("/probe/users/@bob:example.org").then().statusCode(503)
                    .header("Retry-After", "5").body("errcode", equalTo("M_UNKNOWN"));
        }
        homeserver.verifyThat(2, getRequestedFor(urlEqualTo(WhoamiHomeserver.WHOAMI))
                .withHeader("Authorization", WireMock.equalTo("Bearer syt_broken")));
        bearer("syt_broken").get("/probe/operator").then().statusCode(503).contentType("application/problem+json");
    }
}

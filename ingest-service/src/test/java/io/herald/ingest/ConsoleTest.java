package io.herald.ingest;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.herald.testsupport.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/**
 * The console's sign-in, session cookie and CSRF checks, and a page made from the dispatcher's API (WireMock), with
 * the person's own credential. The browser walk through every page is e2e-tests' ConsoleBrowserTest.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(SenderQueueTest.Dispatcher.class)
class ConsoleTest {

    private static String signIn(String token) {
        Response form = given().redirects().follow(false).get("/console/sign-in");
        String csrf = form.cookie("herald_console_csrf");
        return given().redirects().follow(false).cookie("herald_console_csrf", csrf).contentType("application/x-www-form-urlencoded")
                .formParam("csrf", csrf).formParam("token", token).post("/console/sign-in").then().statusCode(303)
                .extract().cookie("herald_console");
    }

    @Test
    void whoamiNamesTheCallersRolesAndTenant() {
        given().header("Authorization", TestTokens.bearer(TestTokens.TENANT_OPERATOR)).get("/v1/whoami").then()
                .statusCode(200).body("roles", hasItem("operator")).body("tenant", org.hamcrest.Matchers.equalTo("acme"))
                .body("kind", org.hamcrest.Matchers.equalTo("service_token"));
    }

    @Test
    void signingInKeepsTheCredentialSealedInAStrictHttpOnlyCookie() {
        given().redirects().follow(false).get("/console/overview").then().statusCode(303)
                .header("Location", endsWith("/console/sign-in"));
        Response form = given().redirects().follow(false).get("/console/sign-in");
        String csrf = form.cookie("herald_console_csrf");
        // without the form's CSRF token, and with a credential the APIs refuse
        given().cookie("herald_console_csrf", csrf).contentType("application/x-www-form-urlencoded")
                .formParam("token", TestTokens.ADMIN).post("/console/sign-in").then().statusCode(400);
        given().cookie("herald_console_csrf", csrf).contentType("application/x-www-form-urlencoded")
                .formParam("csrf", csrf).formParam("token", "hrldt_nobody").post("/console/sign-in").then()
                .statusCode(401).body(containsString("not accepted"));

        Response signedIn = given().redirects().follow(false).cookie("herald_console_csrf", csrf)
                .contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .formParam("token", TestTokens.ADMIN).post("/console/sign-in");
        assertThat(signedIn.statusCode()).isEqualTo(303);
        String setCookie = signedIn.headers().getValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("herald_console=")).findFirst().orElseThrow();
        assertThat(setCookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict").contains("Path=/console")
                .doesNotContain(TestTokens.ADMIN).doesNotContain("test-admin");
        String session = signedIn.cookie("herald_console");

        // a changed cookie is no session
        char last = session.charAt(session.length() - 2);
        String tampered = session.substring(0, session.length() - 2) + (last == 'A' ? 'B' : 'A')
                + session.charAt(session.length() - 1);
        given().redirects().follow(false).cookie("herald_console", tampered).get("/console/overview").then()
                .statusCode(303);
        // signing out needs the session's CSRF token
        given().redirects().follow(false).cookie("herald_console", session).contentType("application/x-www-form-urlencoded")
                .formParam("csrf", "guess").post("/console/sign-out").then().statusCode(403);
    }

    @Test
    void theOverviewIsTheDispatchersAnswerToThePersonsOwnCredential() {
        SenderQueueTest.dispatcher.stubFor(get(urlPathEqualTo("/v1/overview")).willReturn(okJson("""
                {"notifications_per_second":1.5,"deliveries_per_second":2.25,
                 "backlog":{"pending":3,"retrying":4,"dead":5},
                 "homeservers":[{"account":"bot","delivered":9,"failed":1,"success_rate":0.9,
                   "last_error":"M_FORBIDDEN <b>","circuit":"closed"}],"circuits":{},"at":"2026-12-03T10:00:00Z"}""")));
        String session = signIn(TestTokens.OPERATOR);
        String page = given().cookie("herald_console", session).get("/console/overview").then().statusCode(200)
                .header("Cache-Control", "no-store").extract().asString();
        assertThat(page).contains("id=\"rate-in\">1.50<").contains("id=\"rate-out\">2.25<")
                .contains("id=\"backlog-dead\"").contains(">5</a>").contains("90.0 %")
                .contains("M_FORBIDDEN &lt;b&gt;").doesNotContain("M_FORBIDDEN <b>");
        given().cookie("herald_console", session).get("/console/overview/panel").then().statusCode(200)
                .body(containsString("backlog-pending"), not(containsString("<html")));
        SenderQueueTest.dispatcher.verify(getRequestedFor(urlPathEqualTo("/v1/overview"))
                .withHeader("Authorization", equalTo(TestTokens.bearer(TestTokens.OPERATOR))));
    }
}

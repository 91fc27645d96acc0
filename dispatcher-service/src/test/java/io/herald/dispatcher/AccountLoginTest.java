package io.herald.dispatcher;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.notFound;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.report.ValidationReport;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.herald.common.Json;
import io.herald.dispatcher.account.MatrixAccount;
import io.herald.dispatcher.outbound.ScriptedResolver;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.MatrixSpec;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Accounts created from user id + password: discovery, login, whoami, and joining rooms; against WireMock homeservers. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class AccountLoginTest {

    private static final String PASSWORD = "correct-horse-battery-staple";
    private static final String TOKEN = "syt_login_token_abcdef";
    private static final String VERSIONS = "{\"versions\":[\"v1.11\",\"v1.12\"]}";

    private final List<WireMockServer> servers = new ArrayList<>();

    @Inject
    ScriptedResolver dns;

    @AfterEach
    void stopServers() {
        servers.forEach(WireMockServer::stop);
    }

    private WireMockServer server() {
        WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        servers.add(server);
        return server;
    }

    /** A domain whose well-known names {@code baseUrl} as its homeserver. */
    private WireMockServer domainPointingTo(String baseUrl) {
        WireMockServer domain = server();
        domain.stubFor(get(urlEqualTo("/.well-known/matrix/client")).willReturn(okJson(
                "{\"m.homeserver\":{\"base_url\":\"" + baseUrl + "\"}}")));
        return domain;
    }

    private static String domain(WireMockServer server) {
        return "127.0.0.1:" + server.port();
    }

    private static String id() {
        return "login-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A homeserver that logs {@code userId} in and confirms the token. */
    private static void homeserverFor(WireMockServer hs, String userId) {
        hs.stubFor(get(urlEqualTo("/_matrix/client/versions")).willReturn(okJson(VERSIONS)));
        hs.stubFor(post(urlEqualTo("/_matrix/client/v3/login")).willReturn(okJson(
                "{\"access_token\":\"" + TOKEN + "\",\"device_id\":\"HERALD\",\"user_id\":\"" + userId + "\"}")));
        hs.stubFor(get(urlEqualTo("/_matrix/client/v3/account/whoami"))
                .withHeader("Authorization", WireMock.equalTo("Bearer " + TOKEN))
                .willReturn(okJson("{\"user_id\":\"" + userId + "\",\"device_id\":\"HERALD\"}")));
    }

    private static Response create(String json) {
        Response response = Auth.admin().contentType("application/json").body(json).post("/v1/matrix-accounts");
        assertThat(response.asString()).doesNotContain(PASSWORD).doesNotContain(TOKEN);
        return response;
    }

    private static String loginBody(String id, String userId, String extra) {
        return "{\"id\":\"" + id + "\",\"user_id\":\"" + userId + "\",\"password\":\"" + PASSWORD + "\"" + extra + "}";
    }

    @Test
    void discoveryFollowsTheWellKnownAndLogsInWithTheFixedDevice() {
        WireMockServer domain = server();
        WireMockServer hs = server();
        String userId = "@bot:" + domain(domain);
        domain.stubFor(get(urlEqualTo("/.well-known/matrix/client")).willReturn(okJson(
                "{\"m.homeserver\":{\"base_url\":\"" + hs.baseUrl() + "/\"}}")));
        homeserverFor(hs, userId);
        String id = id();

        create(loginBody(id, userId, ",\"device_id\":\"HERALD\",\"relogin\":true")).then().statusCode(201)
                .body("homeserver", equalTo(hs.baseUrl()))
                .body("user_id", equalTo(userId))
                .body("device_id", equalTo("HERALD"))
                .body("relogin", equalTo(true));

        LoggedRequest login = hs.findAll(postRequestedFor(urlEqualTo("/_matrix/client/v3/login"))).get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> body = Json.decode(login.getBodyAsString(), Map.class);
        assertThat(body).containsEntry("type", "m.login.password").containsEntry("device_id", "HERALD")
                .containsEntry("identifier", Map.of("type", "m.id.user", "user", userId));
        assertThat(MatrixSpec.validateRequest(MatrixSpec.LOGIN, Request.Method.POST, "/_matrix/client/v3/login",
                Map.of(), login.getBodyAsString()).getMessages()).isEmpty();
        hs.verify(getRequestedFor(urlEqualTo("/_matrix/client/versions")));

        MatrixAccount stored = QuarkusTransaction.requiringNew().call(() -> MatrixAccount.findById(id));
        assertThat(stored.accessTokenEncrypted).startsWith("v2:default:").doesNotContain(TOKEN);
        assertThat(stored.passwordEncrypted).isNotNull().doesNotContain(PASSWORD);
        Auth.admin().get("/v1/matrix-accounts/" + id).then().statusCode(200)
                .body(org.hamcrest.Matchers.not(containsString(TOKEN)));
    }

    @Test
    void withoutAWellKnownTheDomainItselfIsTheHomeserverAndThePasswordIsNotKept() {
        WireMockServer hs = server();
        String userId = "@bot:" + domain(hs);
        hs.stubFor(get(urlEqualTo("/.well-known/matrix/client")).willReturn(notFound()));
        homeserverFor(hs, userId);
        String id = id();

        create(loginBody(id, userId, "")).then().statusCode(201)
                .body("homeserver", equalTo("http://" + domain(hs)))
                .body("relogin", equalTo(false));

        MatrixAccount stored = QuarkusTransaction.requiringNew().call(() -> MatrixAccount.findById(id));
        assertThat(stored.passwordEncrypted).isNull();
    }

    @Test
    void anExplicitHomeserverSkipsDiscovery() {
        WireMockServer hs = server();
        String userId = "@bot:example.org";
        homeserverFor(hs, userId);

        create(loginBody(id(), userId, ",\"homeserver\":\"" + hs.baseUrl() + "\",\"device_id\":\"DEV7\""))
                .then().statusCode(201).body("homeserver", equalTo(hs.baseUrl()));
        hs.verify(0, getRequestedFor(urlEqualTo("/.well-known/matrix/client")));
    }

    @Test
    void theTokenCheckSaysWhetherTheTokenStillWorksAndNeverShowsIt() {
        WireMockServer hs = server();
        String userId = "@checked:example.org";
        homeserverFor(hs, userId);
        String id = id();
        create(loginBody(id, userId, ",\"homeserver\":\"" + hs.baseUrl() + "\"")).then().statusCode(201);

        String works = Auth.admin().get("/v1/matrix-accounts/" + id + "/token").then().statusCode(200)
                .body("valid", equalTo(true)).body("user_id", equalTo(userId)).extract().asString();
        assertThat(works).doesNotContain(TOKEN);

        // logged out elsewhere: the homeserver no longer knows the token
        hs.stubFor(get(urlEqualTo("/_matrix/client/v3/account/whoami")).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"errcode\":\"M_UNKNOWN_TOKEN\",\"error\":\"Invalid access token\"}")));
        Auth.admin().get("/v1/matrix-accounts/" + id + "/token").then().statusCode(200)
                .body("valid", equalTo(false)).body("errcode", equalTo("M_UNKNOWN_TOKEN"));

        // a homeserver that cannot say: neither yes nor no
        hs.stubFor(get(urlEqualTo("/_matrix/client/v3/account/whoami")).willReturn(aResponse().withStatus(502)));
        Auth.admin().get("/v1/matrix-accounts/" + id + "/token").then().statusCode(200)
                .body("valid", org.hamcrest.Matchers.nullValue()).body("error", org.hamcrest.Matchers.notNullValue());

        Auth.admin().get("/v1/matrix-accounts/no-such-account/token").then().statusCode(404);
    }

    @Test
    void noWellKnownAndNoHomeserverAtTheDomainIs502() {
        WireMockServer domain = server();
        domain.stubFor(get(urlEqualTo("/.well-known/matrix/client")).willReturn(notFound()));
        domain.stubFor(get(urlEqualTo("/_matrix/client/versions")).willReturn(notFound()));

        create(loginBody(id(), "@bot:" + domain(domain), "")).then().statusCode(502)
                .contentType("application/problem+json")
                .body("detail", containsString("no homeserver found for 127.0.0.1:" + domain.port()));
    }

    @Test
    void aMalformedWellKnownIs502() {
        WireMockServer domain = server();
        domain.stubFor(get(urlEqualTo("/.well-known/matrix/client")).willReturn(okJson("{\"m.homeserver\":{\"url\":1}}")));

        create(loginBody(id(), "@bot:" + domain(domain), "")).then().statusCode(502)
                .contentType("application/problem+json")
                .body("detail", containsString("malformed well-known"));
        domain.stubFor(get(urlEqualTo("/.well-known/matrix/client")).willReturn(aResponse().withStatus(200).withBody("<html>")));
        create(loginBody(id(), "@bot:" + domain(domain), "")).then().statusCode(502)
                .body("detail", containsString("malformed well-known"));
    }

    @Test
    void aWellKnownPointingToADeadServerIs502() {
        WireMockServer domain = domainPointingTo("http://127.0.0.1:1");

        create(loginBody(id(), "@bot:" + domain(domain), "")).then().statusCode(502)
                .body("detail", containsString("points to http://127.0.0.1:1"));
    }

    @Test
    void anUnreachableHomeserverIs502() {
        create(loginBody(id(), "@bot:example.org", ",\"homeserver\":\"http://127.0.0.1:1\"")).then().statusCode(502)
                .contentType("application/problem+json")
                .body("detail", containsString("login of @bot:example.org at http://127.0.0.1:1 (127.0.0.1) failed: unreachable"));
    }

    @Test
    void aWellKnownPointingIntoAPrivateNetworkIsRefusedAndTheAdminIsToldWhy() {
        WireMockServer domain = domainPointingTo("http://10.1.2.3:8008");

        create(loginBody(id(), "@bot:" + domain(domain), "")).then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("resolves to 10.1.2.3 (private 10.0.0.0/8)"))
                .body("detail", containsString("homeserver-networks"));
    }

    @Test
    void aRedirectIntoAPrivateNetworkIsRefusedAndOneToAnAllowedAddressIsFollowed() {
        WireMockServer domain = server();
        WireMockServer hs = server();
        String userId = "@bot:" + domain(domain);
        domain.stubFor(get(urlEqualTo("/.well-known/matrix/client")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "http://169.254.169.254/latest/meta-data")));

        create(loginBody(id(), userId, "")).then().statusCode(400)
                .body("detail", containsString("169.254.169.254 (link-local 169.254.0.0/16)"));

        domain.stubFor(get(urlEqualTo("/.well-known/matrix/client")).willReturn(aResponse().withStatus(301)
                .withHeader("Location", hs.baseUrl() + "/.well-known/matrix/client")));
        hs.stubFor(get(urlEqualTo("/.well-known/matrix/client")).willReturn(okJson(
                "{\"m.homeserver\":{\"base_url\":\"" + hs.baseUrl() + "\"}}")));
        homeserverFor(hs, userId);
        create(loginBody(id(), userId, "")).then().statusCode(201).body("homeserver", equalTo(hs.baseUrl()));
    }

    @Test
    void aLoginAnsweredWithARedirectIsNotFollowed() {
        WireMockServer hs = server();
        WireMockServer elsewhere = server();
        hs.stubFor(post(urlEqualTo("/_matrix/client/v3/login")).willReturn(aResponse().withStatus(307)
                .withHeader("Location", elsewhere.baseUrl() + "/_matrix/client/v3/login")));

        create(loginBody(id(), "@bot:example.org", ",\"homeserver\":\"" + hs.baseUrl() + "\"")).then().statusCode(502)
                .body("detail", containsString("HTTP 307"))
                .body("detail", containsString("which Herald does not follow"));
        assertThat(elsewhere.getAllServeEvents()).isEmpty();
    }

    @Test
    void aHomeserverUrlIntoAPrivateNetworkIsRefusedWhenTheAccountIsCreated() {
        String id = id();
        Auth.admin().contentType("application/json")
                .body("{\"id\":\"" + id + "\",\"homeserver\":\"http://10.0.0.8:8008\",\"access_token\":\"t\"}")
                .post("/v1/matrix-accounts").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("10.0.0.8 (private 10.0.0.0/8)"));
        Auth.admin().get("/v1/matrix-accounts/" + id).then().statusCode(404);
    }

    @Test
    void aHomeserverWhoseNameDoesNotResolveIsRefused() {
        dns.unknown("nowhere.herald.test");

        create(loginBody(id(), "@bot:example.org", ",\"homeserver\":\"http://nowhere.herald.test:8008\"")).then()
                .statusCode(502)
                .body("detail", containsString("its host nowhere.herald.test does not resolve"));
        create(loginBody(id(), "@bot:nowhere.herald.test", "")).then().statusCode(502)
                .body("detail", containsString("does not resolve"));
    }

    @Test
    void aWrongPasswordIs403WithTheErrcode() {
        WireMockServer hs = server();
        hs.stubFor(post(urlEqualTo("/_matrix/client/v3/login")).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"errcode\":\"M_FORBIDDEN\",\"error\":\"Invalid username or password\"}")));
        String id = id();

        create(loginBody(id, "@bot:example.org", ",\"homeserver\":\"" + hs.baseUrl() + "\"")).then().statusCode(403)
                .contentType("application/problem+json")
                .body("errcode", equalTo("M_FORBIDDEN"))
                .body("detail", containsString("Invalid username or password"));
        Auth.admin().get("/v1/matrix-accounts/" + id).then().statusCode(404);
    }

    @Test
    void aRateLimitedLoginIs429WithRetryAfter() {
        WireMockServer hs = server();
        hs.stubFor(post(urlEqualTo("/_matrix/client/v3/login")).willReturn(aResponse().withStatus(429)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"errcode\":\"M_LIMIT_EXCEEDED\",\"error\":\"Too many requests\",\"retry_after_ms\":2500}")));

        create(loginBody(id(), "@bot:example.org", ",\"homeserver\":\"" + hs.baseUrl() + "\"")).then().statusCode(429)
                .header("Retry-After", "3")
                .body("errcode", equalTo("M_LIMIT_EXCEEDED"));

        hs.stubFor(post(urlEqualTo("/_matrix/client/v3/login")).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "7").withHeader("Content-Type", "application/json")
                .withBody("{\"errcode\":\"M_LIMIT_EXCEEDED\",\"error\":\"Too many requests\"}")));
        create(loginBody(id(), "@bot:example.org", ",\"homeserver\":\"" + hs.baseUrl() + "\"")).then().statusCode(429)
                .header("Retry-After", "7");
    }

    @Test
    void aTokenOfAnotherUserIsRefused() {
        WireMockServer hs = server();
        homeserverFor(hs, "@bot:example.org");
        hs.stubFor(get(urlEqualTo("/_matrix/client/v3/account/whoami"))
                .willReturn(okJson("{\"user_id\":\"@someone-else:example.org\"}")));
        String id = id();

        create(loginBody(id, "@bot:example.org", ",\"homeserver\":\"" + hs.baseUrl() + "\"")).then().statusCode(502)
                .body("detail", containsString("@someone-else:example.org"));
        Auth.admin().get("/v1/matrix-accounts/" + id).then().statusCode(404);
    }

    @Test
    void neitherTokenNorPasswordIsRefused() {
        Auth.admin().contentType("application/json").body("{\"id\":\"x1\",\"user_id\":\"@bot:example.org\"}")
                .post("/v1/matrix-accounts").then().statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.hasItem("access_token"));
        Auth.admin().contentType("application/json").body("{\"id\":\"x2\",\"access_token\":\"t\"}")
                .post("/v1/matrix-accounts").then().statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.hasItem("homeserver"));
    }

    @Test
    void joiningARoomAcceptsTheInviteAndAnswersTheRoomId() {
        WireMockServer hs = server();
        homeserverFor(hs, "@bot:example.org");
        String id = id();
        create(loginBody(id, "@bot:example.org", ",\"homeserver\":\"" + hs.baseUrl() + "\"")).then().statusCode(201);
        hs.stubFor(post(urlEqualTo("/_matrix/client/v3/join/%23ops%3Aexample.org"))
                .withHeader("Authorization", WireMock.equalTo("Bearer " + TOKEN))
                .willReturn(okJson("{\"room_id\":\"!abc:example.org\"}")));
        hs.stubFor(post(urlEqualTo("/_matrix/client/v3/join/%21secret%3Aexample.org")).willReturn(aResponse()
                .withStatus(403).withHeader("Content-Type", "application/json")
                .withBody("{\"errcode\":\"M_FORBIDDEN\",\"error\":\"You are not invited to this room.\"}")));

        Auth.admin().contentType("application/json").body("{\"room\":\"#ops:example.org\"}")
                .post("/v1/matrix-accounts/" + id + "/join").then().statusCode(200)
                .body("room_id", equalTo("!abc:example.org"));
        LoggedRequest join = hs.findAll(postRequestedFor(urlEqualTo("/_matrix/client/v3/join/%23ops%3Aexample.org"))).get(0);
        assertThat(MatrixSpec.validateRequest("client-server/joining.yaml", Request.Method.POST,
                "/_matrix/client/v3/join/%23ops%3Aexample.org", Map.of("Authorization", "Bearer " + TOKEN),
                join.getBodyAsString()).getMessages())
                // the validator cannot read joining.yaml's oneOf path parameter: that message is reported at IGNORE level
                .filteredOn(m -> m.getLevel() != ValidationReport.Level.IGNORE).isEmpty();

        String refused = Auth.admin().contentType("application/json").body("{\"room\":\"!secret:example.org\"}")
                .post("/v1/matrix-accounts/" + id + "/join").then().statusCode(403)
                .contentType("application/problem+json")
                .body("errcode", equalTo("M_FORBIDDEN"))
                .body("detail", containsString("not invited"))
                .extract().asString();
        assertThat(refused).doesNotContain(TOKEN);

        Auth.admin().contentType("application/json").body("{\"room\":\"ops\"}")
                .post("/v1/matrix-accounts/" + id + "/join").then().statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.hasItem("room"));
        Auth.admin().contentType("application/json").body("{\"room\":\"#ops:example.org\"}")
                .post("/v1/matrix-accounts/nobody/join").then().statusCode(404);
    }
    @Test
    void roomIdsOfRoomVersion12WithoutServerPartCanBeJoined() {
        WireMockServer hs = server();
        homeserverFor(hs, "@bot:example.org");
        String id = id();
        create(loginBody(id, "@bot:example.org", ",\"homeserver\":\"" + hs.baseUrl() + "\"")).then().statusCode(201);
        // Synapse 1.160's default room version 12: "!" and 43 characters of unpadded base64url, no ":server"
        String v12 = "!GGsK0lXP3cPs7k4G_1rZqRjZ3rFzVhX4nWm0g2yYc4Q";
        hs.stubFor(post(urlEqualTo("/_matrix/client/v3/join/%21GGsK0lXP3cPs7k4G_1rZqRjZ3rFzVhX4nWm0g2yYc4Q"))
                .withHeader("Authorization", WireMock.equalTo("Bearer " + TOKEN))
                .willReturn(okJson("{\"room_id\":\"" + v12 + "\"}")));

        Auth.admin().contentType("application/json").body("{\"room\":\"" + v12 + "\"}")
                .post("/v1/matrix-accounts/" + id + "/join").then().statusCode(200)
                .body("room_id", equalTo(v12));
        hs.verify(1, postRequestedFor(urlEqualTo("/_matrix/client/v3/join/%21GGsK0lXP3cPs7k4G_1rZqRjZ3rFzVhX4nWm0g2yYc4Q")));

        // still refused: an alias needs its server, and neither form may be empty or hold whitespace
        for (String invalid : new String[] {"#ops", "!", "!abc:", "! abc", "!a b:example.org"}) {
            Auth.admin().contentType("application/json").body("{\"room\":\"" + invalid + "\"}")
                    .post("/v1/matrix-accounts/" + id + "/join").then().statusCode(400)
                    .body("errors.field", org.hamcrest.Matchers.hasItem("room"));
        }
    }

    @Test
    void aTlsFailureIs502() {
        WireMockServer plain = server();
        create(loginBody(id(), "@bot:example.org", ",\"homeserver\":\"https://127.0.0.1:" + plain.port() + "\""))
                .then().statusCode(502)
                .contentType("application/problem+json")
                .body("detail", containsString("TLS failure"));
    }

    @Test
    void joiningWithAnExpiredTokenLogsInAgainOnceWhenThePasswordIsKept() {
        WireMockServer hs = server();
        homeserverFor(hs, "@bot:example.org");
        String id = id();
        create(loginBody(id, "@bot:example.org", ",\"homeserver\":\"" + hs.baseUrl() + "\",\"relogin\":true"))
                .then().statusCode(201);
        hs.stubFor(post(urlEqualTo("/_matrix/client/v3/join/%21r%3Aexample.org"))
                .withHeader("Authorization", WireMock.equalTo("Bearer " + TOKEN))
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                        .withBody("{\"errcode\":\"M_UNKNOWN_TOKEN\",\"error\":\"expired\"}")));
        hs.stubFor(post(urlEqualTo("/_matrix/client/v3/login")).willReturn(okJson(
                "{\"access_token\":\"fresh-token\",\"device_id\":\"HERALD\",\"user_id\":\"@bot:example.org\"}")));
        hs.stubFor(post(urlEqualTo("/_matrix/client/v3/join/%21r%3Aexample.org"))
                .withHeader("Authorization", WireMock.equalTo("Bearer fresh-token"))
                .willReturn(okJson("{\"room_id\":\"!r:example.org\"}")));

        Auth.admin().contentType("application/json").body("{\"room\":\"!r:example.org\"}")
                .post("/v1/matrix-accounts/" + id + "/join").then().statusCode(200)
                .body("room_id", equalTo("!r:example.org"));
        hs.verify(2, postRequestedFor(urlEqualTo("/_matrix/client/v3/login")));
    }
}

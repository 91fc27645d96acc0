package io.herald.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.noContent;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every command group against WireMock standing in for the three services: requests, output, exit codes. */
class HeraldCliTest {

    private static WireMockServer server;

    @TempDir
    Path home;

    private final Map<String, String> env = new HashMap<>();

    record Result(int code, String out, String err) {
        JsonNode json() {
            try {
                return Api.JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out, e);
            }
        }
    }

    @BeforeAll
    static void start() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
        env.put("HERALD_INGEST_URL", server.baseUrl() + "/");
        env.put("HERALD_RULES_URL", server.baseUrl());
        env.put("HERALD_DISPATCHER_URL", server.baseUrl());
        env.put("HERALD_TOKEN", "hrldt_cli");
    }

    private Result withStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Context context = new Context(env, home, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true), null);
        int code = HeraldCli.run(context, args);
        return new Result(code, out.toString(), err.toString());
    }

    private Result run(String... args) {
        return withStdin("", args);
    }

    private static String problem(int status, String detail, String errcode) {
        return "{\"type\":\"about:blank\",\"status\":" + status + ",\"detail\":\"" + detail + "\""
                + (errcode == null ? "" : ",\"errcode\":\"" + errcode + "\"") + "}";
    }

    // --- matrix

    @Test
    void matrixLoginReadsThePasswordFromStdinNeverFromArgv() {
        server.stubFor(post(urlEqualTo("/v1/matrix-accounts")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"id\":\"bot\",\"homeserver\":\"https://matrix.example.org\",\"user_id\":\"@bot:example.org\","
                        + "\"device_id\":\"HERALD\",\"relogin\":true}")));

        Result result = withStdin("s3cret pass\n", "matrix", "login", "@bot:example.org", "--relogin");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("ID", "USER_ID", "bot", "https://matrix.example.org").doesNotContain("s3cret");
        server.verify(postRequestedFor(urlEqualTo("/v1/matrix-accounts")).withRequestBody(equalToJson(
                "{\"id\":\"bot\",\"user_id\":\"@bot:example.org\",\"password\":\"s3cret pass\",\"relogin\":true}")));

        // there is no option for the password: giving it as an argument is a usage error
        assertThat(withStdin("x\n", "matrix", "login", "@bot:example.org", "--password", "p").code()).isEqualTo(1);
        // nothing on stdin and no terminal: usage error, nothing sent
        server.resetRequests();
        Result noPassword = withStdin("", "matrix", "login", "@bot:example.org");
        assertThat(noPassword.code()).isEqualTo(1);
        assertThat(noPassword.err()).contains("no password");
        server.verify(0, postRequestedFor(urlEqualTo("/v1/matrix-accounts")));
    }

    @Test
    void matrixLoginPassesTheHomeserversRefusalOnWithExitCode2() {
        server.stubFor(post(urlEqualTo("/v1/matrix-accounts")).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/problem+json")
                .withBody(problem(403, "login refused: Invalid username or password", "M_FORBIDDEN"))));

        Result result = withStdin("wrong\n", "matrix", "login", "@bot:example.org", "--id", "b1",
                "--homeserver", "https://hs.example.org");

        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("HTTP 403 M_FORBIDDEN: login refused").doesNotContain("wrong");
        server.verify(postRequestedFor(urlEqualTo("/v1/matrix-accounts")).withRequestBody(equalToJson(
                "{\"id\":\"b1\",\"user_id\":\"@bot:example.org\",\"password\":\"wrong\",\"relogin\":false,"
                        + "\"homeserver\":\"https://hs.example.org\"}")));
    }

    @Test
    void matrixJoinAnswersTheRoomIdAndJsonOnRequest() {
        server.stubFor(post(urlEqualTo("/v1/matrix-accounts/bot/join")).withRequestBody(equalToJson("{\"room\":\"#ops:example.org\"}"))
                .willReturn(okJson("{\"room_id\":\"!abc:example.org\"}")));
        server.stubFor(post(urlEqualTo("/v1/matrix-accounts/bot/join")).withRequestBody(equalToJson("{\"room\":\"!x:example.org\"}"))
                .willReturn(aResponse().withStatus(403).withBody(problem(403, "not invited", "M_FORBIDDEN"))));

        Result joined = run("matrix", "join", "bot", "#ops:example.org");
        assertThat(joined.code()).isZero();
        assertThat(joined.out()).contains("joined !abc:example.org");
        assertThat(run("matrix", "join", "bot", "#ops:example.org", "--json").json().path("room_id").asText())
                .isEqualTo("!abc:example.org");

        Result refused = run("matrix", "join", "bot", "!x:example.org");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("M_FORBIDDEN", "not invited");
    }

    // --- rooms

    @Test
    void roomsCreateListLinkAndMembers() {
        server.stubFor(put(urlEqualTo("/v1/rooms/ops")).willReturn(okJson(
                "{\"room\":\"ops\",\"matrix_room_id\":\"!abc:example.org\",\"account\":\"bot\"}")));
        server.stubFor(get(urlEqualTo("/v1/rooms")).willReturn(okJson(
                "[{\"room\":\"ops\",\"matrix_room_id\":\"!abc:example.org\",\"account\":\"bot\"},{\"room\":\"dev\"}]")));
        server.stubFor(put(urlPathEqualTo("/v1/rooms/ops/members/%40alice%3Aexample.org")).willReturn(okJson("{}")));
        server.stubFor(delete(urlPathEqualTo("/v1/rooms/ops/members/%40bob%3Aexample.org")).willReturn(noContent()));
        server.stubFor(get(urlEqualTo("/v1/rooms/ops/members")).willReturn(okJson(
                "[{\"user_id\":\"@alice:example.org\",\"display_name\":\"Alice\",\"power_level\":50}]")));

        assertThat(run("rooms", "create", "ops").code()).isZero();
        server.verify(putRequestedFor(urlEqualTo("/v1/rooms/ops")).withRequestBody(equalToJson("{}")));
        assertThat(run("rooms", "create", "ops", "--tenant", "acme").code()).isZero();
        server.verify(putRequestedFor(urlEqualTo("/v1/rooms/ops")).withRequestBody(equalToJson("{\"tenant\":\"acme\"}")));

        Result linked = run("rooms", "link", "ops", "!abc:example.org", "--account", "bot");
        assertThat(linked.code()).isZero();
        server.verify(putRequestedFor(urlEqualTo("/v1/rooms/ops")).withRequestBody(equalToJson(
                "{\"matrix_room_id\":\"!abc:example.org\",\"account\":\"bot\"}")));
        assertThat(run("rooms", "link", "ops", "!abc:example.org").code()).as("--account is required").isEqualTo(1);

        Result list = run("rooms", "list");
        assertThat(list.out().lines().toList()).hasSize(3);
        assertThat(list.out().lines().findFirst().orElseThrow()).startsWith("ROOM").contains("MATRIX_ROOM_ID", "ACCOUNT");
        assertThat(list.out()).contains("dev  ", "-");
        assertThat(run("rooms", "list", "--json").json().size()).isEqualTo(2);

        Result members = run("rooms", "members", "ops", "--add", "@alice:example.org", "--display-name", "Alice",
                "--power-level", "50", "--remove", "@bob:example.org");
        assertThat(members.code()).as(members.err()).isZero();
        assertThat(members.out()).contains("@alice:example.org", "Alice", "50");
        server.verify(putRequestedFor(urlPathEqualTo("/v1/rooms/ops/members/%40alice%3Aexample.org"))
                .withRequestBody(equalToJson("{\"display_name\":\"Alice\",\"power_level\":50}")));
        server.verify(deleteRequestedFor(urlPathEqualTo("/v1/rooms/ops/members/%40bob%3Aexample.org")));
    }

    // --- send

    @Test
    void sendPostsANotificationWithTheApiKey() {
        env.put("HERALD_API_KEY", "hrld_test");
        server.stubFor(post(urlEqualTo("/v1/rooms/ops/send")).willReturn(aResponse().withStatus(202)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"n1\",\"ids\":[\"n1\"]}")));

        Result sent = run("send", "ops", "Backup failed", "nas1 is down", "--silent", "--link", "https://nas1.local");

        assertThat(sent.code()).as(sent.err()).isZero();
        assertThat(sent.out()).contains("accepted n1");
        server.verify(postRequestedFor(urlEqualTo("/v1/rooms/ops/send"))
                .withHeader("Authorization", equalTo("Bearer hrld_test"))
                .withRequestBody(equalToJson("{\"title\":\"Backup failed\",\"message\":\"nas1 is down\","
                        + "\"link\":\"https://nas1.local\",\"silent\":true}")));

        assertThat(run("send", "ops", "only a body", "--json", "--idempotency-key", "k1").json().path("id").asText())
                .isEqualTo("n1");
        server.verify(postRequestedFor(urlEqualTo("/v1/rooms/ops/send")).withHeader("Idempotency-Key", equalTo("k1"))
                .withRequestBody(equalToJson("{\"message\":\"only a body\"}")));
    }

    @Test
    void sendReadsTheBodyFromStdinAndWaitsUntilDelivered() {
        env.put("HERALD_API_KEY", "hrld_test");
        server.stubFor(post(urlEqualTo("/v1/rooms/ops/send")).willReturn(aResponse().withStatus(202)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"n2\",\"ids\":[\"n2\"]}")));
        server.stubFor(get(urlEqualTo("/v1/notifications/n2")).willReturn(okJson("{\"id\":\"n2\",\"state\":"
                + "\"delivered\",\"deliveries\":[{\"kind\":\"matrix_room\",\"state\":\"delivered\","
                + "\"matrix_event_id\":\"$e\"}]}")));

        Result sent = withStdin("disk full\n", "send", "ops", "-t", "nas1", "--priority", "high", "--tags",
                "warning,nas", "--wait");

        assertThat(sent.code()).as(sent.err()).isZero();
        assertThat(sent.out()).contains("n2: delivered", "$e");
        server.verify(postRequestedFor(urlEqualTo("/v1/rooms/ops/send")).withRequestBody(equalToJson(
                "{\"message\":\"disk full\",\"title\":\"nas1\",\"priority\":\"high\",\"tags\":[\"warning\",\"nas\"]}")));
    }

    @Test
    void statusWaitEndsWithTheExitCodeOfHowItEnded() {
        env.put("HERALD_API_KEY", "hrld_test");
        server.stubFor(get(urlEqualTo("/v1/notifications/dead")).willReturn(okJson("{\"id\":\"dead\",\"state\":"
                + "\"dead\",\"deliveries\":[{\"kind\":\"matrix_room\",\"state\":\"dead\"}]}")));
        server.stubFor(get(urlEqualTo("/v1/notifications/slow")).willReturn(okJson("{\"id\":\"slow\",\"state\":"
                + "\"retrying\",\"deliveries\":[{\"kind\":\"matrix_room\",\"state\":\"retrying\"}]}")));
        assertThat(run("status", "dead", "--wait").code()).isEqualTo(4);
        assertThat(run("status", "slow", "--wait", "--timeout", "0").code()).isEqualTo(5);
        Result shown = run("status", "slow", "--json");
        assertThat(shown.code()).isZero();
        assertThat(shown.json().path("state").asText()).isEqualTo("retrying");
    }

    @Test
    void queueListPurgeAndFlushUseTheApiKey() {
        env.put("HERALD_API_KEY", "hrld_test");
        server.stubFor(get(urlEqualTo("/v1/rooms/ops/queue")).willReturn(okJson("{\"room\":\"ops\",\"total\":1,"
                + "\"deliveries\":[{\"notification_id\":\"n9\",\"kind\":\"matrix_room\",\"state\":\"retrying\"}]}")));
        server.stubFor(delete(urlEqualTo("/v1/rooms/ops/queue")).willReturn(okJson(
                "{\"room\":\"ops\",\"purged_before\":\"2026-12-03T10:00:00Z\",\"waiting\":1}")));
        server.stubFor(post(urlEqualTo("/v1/rooms/ops/queue/flush")).willReturn(okJson("{\"room\":\"ops\",\"destinations\":2}")));
        assertThat(run("queue", "list", "ops").out()).contains("1 waiting", "n9", "retrying");
        assertThat(run("queue", "purge", "ops").out()).contains("purged ops: 1");
        assertThat(run("queue", "flush", "ops").out()).contains("2 destinations");
        server.verify(deleteRequestedFor(urlEqualTo("/v1/rooms/ops/queue")).withHeader("Authorization",
                equalTo("Bearer hrld_test")));
    }

    @Test
    void sendExitCodes() {
        assertThat(run("send", "ops", "no key").code()).as("no API key").isEqualTo(1);
        env.put("HERALD_API_KEY", "hrld_test");
        server.stubFor(post(urlEqualTo("/v1/rooms/ops/send")).willReturn(aResponse().withStatus(503)
                .withHeader("Retry-After", "5").withBody(problem(503, "Kafka did not acknowledge", null))));
        Result unavailable = run("send", "ops", "body");
        assertThat(unavailable.code()).isEqualTo(3);
        assertThat(unavailable.err()).contains("HTTP 503", "Kafka did not acknowledge", "retry after 5");

        server.stubFor(post(urlEqualTo("/v1/rooms/ops/send")).willReturn(aResponse().withStatus(401)
                .withBody(problem(401, "unknown API key", null))));
        assertThat(run("send", "ops", "body").code()).isEqualTo(2);

        env.put("HERALD_INGEST_URL", "http://127.0.0.1:1");
        Result unreachable = run("send", "ops", "body");
        assertThat(unreachable.code()).isEqualTo(3);
        assertThat(unreachable.err()).contains("cannot reach http://127.0.0.1:1");
    }

    // --- dlq

    @Test
    void dlqListShowReplayPurge() {
        server.stubFor(get(urlPathEqualTo("/v1/dead-letters")).willReturn(okJson("{\"dead_letters\":[{\"delivery_id\":\"d1\","
                + "\"room\":\"ops\",\"destination_kind\":\"matrix_room\",\"last_status\":403,\"attempts\":1,"
                + "\"reason\":\"HTTP 403 M_FORBIDDEN\",\"dead_at\":\"2026-01-01T00:00:00Z\"}],\"total\":1}")));
        server.stubFor(get(urlEqualTo("/v1/dead-letters/d1")).willReturn(okJson("{\"delivery_id\":\"d1\",\"room\":\"ops\","
                + "\"reason\":\"HTTP 403 M_FORBIDDEN\",\"history\":[{\"at\":\"2026-01-01T00:00:00Z\",\"status\":403,"
                + "\"outcome\":\"dead\",\"detail\":\"forbidden\"}]}")));
        server.stubFor(post(urlPathEqualTo("/v1/dead-letters/replay")).willReturn(aResponse().withStatus(202)
                .withHeader("Content-Type", "application/json").withBody("{\"replayed\":4}")));
        server.stubFor(post(urlEqualTo("/v1/dead-letters/d1/replay")).willReturn(aResponse().withStatus(202)
                .withHeader("Content-Type", "application/json").withBody("{\"replayed\":1}")));
        server.stubFor(delete(urlPathEqualTo("/v1/dead-letters")).willReturn(okJson("{\"purged\":7}")));
        server.stubFor(get(urlEqualTo("/v1/dead-letters/nope")).willReturn(aResponse().withStatus(404)
                .withBody(problem(404, "no dead letter nope", null))));

        Result list = run("dlq", "list", "--room", "ops", "--older-than", "PT1H", "--limit", "5");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("d1", "matrix_room", "HTTP 403 M_FORBIDDEN", "1 in total");
        server.verify(getRequestedFor(urlEqualTo("/v1/dead-letters?room=ops&older_than=PT1H&limit=5")));
        assertThat(run("dlq", "list", "--json").json().path("total").asInt()).isEqualTo(1);

        Result show = run("dlq", "show", "d1");
        assertThat(show.out()).contains("reason: HTTP 403 M_FORBIDDEN", "OUTCOME", "forbidden");
        assertThat(run("dlq", "show", "nope").code()).isEqualTo(2);

        Result refused = run("dlq", "replay");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("--all");
        assertThat(run("dlq", "purge").code()).isEqualTo(1);
        server.verify(0, postRequestedFor(urlPathEqualTo("/v1/dead-letters/replay")));
        server.verify(0, deleteRequestedFor(urlPathEqualTo("/v1/dead-letters")));

        assertThat(run("dlq", "replay", "--kind", "matrix_room").out()).contains("replayed 4");
        server.verify(postRequestedFor(urlEqualTo("/v1/dead-letters/replay?kind=matrix_room")));
        assertThat(run("dlq", "replay", "d1").out()).contains("replayed 1");
        assertThat(run("dlq", "purge", "--all", "--json").json().path("purged").asInt()).isEqualTo(7);
        server.verify(deleteRequestedFor(urlEqualTo("/v1/dead-letters?all=true")));
    }

    // --- secrets

    @Test
    void secretsRotateReportsWhatWasReEncryptedAndWhatCouldNotBeRead() {
        server.stubFor(post(urlEqualTo("/v1/secrets/rotate")).willReturn(okJson("{\"primary_key\":\"k2\","
                + "\"re_encrypted\":3,\"already_current\":5,\"unreadable\":1,\"unreadable_accounts\":[{\"account\":"
                + "\"old-bot\",\"reason\":\"sealed with the key 'k0', which is not configured\"}]}")));

        Result rotated = run("secrets", "rotate");

        assertThat(rotated.code()).as(rotated.err()).isZero();
        assertThat(rotated.out()).contains("re-encrypted 3 accounts under the key 'k2' (5 already were); unreadable: 1",
                "old-bot", "sealed with the key 'k0'");
        server.verify(postRequestedFor(urlEqualTo("/v1/secrets/rotate")));
        assertThat(run("secrets", "rotate", "--json").json().path("re_encrypted").asInt()).isEqualTo(3);
    }

    // --- rules

    @Test
    void rulesGetEnableDisable() {
        String base = "/v1/users/%40alice%3Aexample.org/pushrules/global/";
        server.stubFor(get(urlEqualTo(base)).willReturn(okJson("{\"override\":[{\"rule_id\":\".m.rule.master\","
                + "\"default\":true,\"enabled\":false,\"actions\":[]}],\"content\":[],\"room\":[],\"sender\":[],"
                + "\"underride\":[{\"rule_id\":\".m.rule.message\",\"default\":true,\"enabled\":true,\"actions\":[\"notify\"]}]}")));
        server.stubFor(put(urlEqualTo(base + "override/.m.rule.suppress_notices/enabled")).willReturn(okJson("{}")));
        server.stubFor(put(urlEqualTo(base + "override/nope/enabled")).willReturn(aResponse().withStatus(404)
                .withBody("{\"errcode\":\"M_NOT_FOUND\",\"error\":\"no rule nope\"}")));

        Result rules = run("rules", "get", "@alice:example.org");
        assertThat(rules.code()).as(rules.err()).isZero();
        assertThat(rules.out()).contains("override", ".m.rule.master", "underride", ".m.rule.message", "notify");
        assertThat(run("rules", "get", "@alice:example.org", "--json").json().path("underride").get(0).path("rule_id")
                .asText()).isEqualTo(".m.rule.message");

        assertThat(run("rules", "disable", "@alice:example.org", "override", ".m.rule.suppress_notices").code()).isZero();
        server.verify(putRequestedFor(urlEqualTo(base + "override/.m.rule.suppress_notices/enabled"))
                .withRequestBody(equalToJson("{\"enabled\":false}")));
        assertThat(run("rules", "enable", "@alice:example.org", "override", ".m.rule.suppress_notices").out())
                .contains("enabled override/.m.rule.suppress_notices");
        server.verify(putRequestedFor(urlEqualTo(base + "override/.m.rule.suppress_notices/enabled"))
                .withRequestBody(equalToJson("{\"enabled\":true}")));

        Result missing = run("rules", "enable", "@alice:example.org", "override", "nope");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("M_NOT_FOUND", "no rule nope");
    }

    // --- keys

    @Test
    void keysCreateListRevokeWithTheDeprecatedAdminToken() {
        env.remove("HERALD_TOKEN");
        Result none = run("keys", "list");
        assertThat(none.code()).as("no token").isEqualTo(1);
        assertThat(none.err()).contains("--token", "HERALD_TOKEN");
        env.put("HERALD_ADMIN_TOKEN", "admin-t");
        server.stubFor(post(urlEqualTo("/v1/admin/api-keys")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"key_1\",\"tenant\":\"me\","
                        + "\"rooms\":[\"ops\",\"dev\"],\"sender\":\"@mon:example.org\",\"key\":\"hrld_secret\"}")));
        server.stubFor(get(urlPathEqualTo("/v1/admin/api-keys")).willReturn(okJson("[{\"id\":\"key_1\",\"tenant\":\"me\","
                + "\"rooms\":[\"ops\",\"dev\"],\"created_at\":\"2026-01-01T00:00:00Z\"}]")));
        server.stubFor(delete(urlEqualTo("/v1/admin/api-keys/key_1")).willReturn(noContent()));

        Result created = run("keys", "create", "--tenant", "me", "--room", "ops", "--room", "dev",
                "--sender", "@mon:example.org", "--rate", "5", "--burst", "10");
        assertThat(created.code()).as(created.err()).isZero();
        assertThat(created.out()).contains("key_1", "ops,dev", "key: hrld_secret");
        server.verify(postRequestedFor(urlEqualTo("/v1/admin/api-keys")).withHeader("Authorization", equalTo("Bearer admin-t"))
                .withRequestBody(equalToJson("{\"tenant\":\"me\",\"rooms\":[\"ops\",\"dev\"],\"sender\":\"@mon:example.org\","
                        + "\"rate_limit\":{\"per_second\":5.0,\"burst\":10}}")));

        assertThat(run("keys", "list", "--tenant", "me").out()).contains("key_1", "2026-01-01T00:00:00Z");
        server.verify(getRequestedFor(urlEqualTo("/v1/admin/api-keys?tenant=me")));
        assertThat(run("keys", "list", "--json").json().get(0).path("id").asText()).isEqualTo("key_1");
        assertThat(run("keys", "revoke", "key_1").out()).contains("revoked key_1");
        server.verify(deleteRequestedFor(urlEqualTo("/v1/admin/api-keys/key_1")));
    }

    // --- settings, usage, help, completion

    @Test
    void everyServiceGetsTheTokenFromTheFlagThenTheEnvironmentThenTheConfigFile() throws IOException {
        server.stubFor(get(urlEqualTo("/v1/rooms")).willReturn(okJson("[]")));
        server.stubFor(get(urlPathEqualTo("/v1/dead-letters")).willReturn(okJson("{\"dead_letters\":[],\"total\":0}")));
        server.stubFor(get(urlEqualTo("/v1/matrix-accounts")).willReturn(okJson("[]")));
        env.remove("HERALD_TOKEN");
        Path config = home.resolve(".config/herald/config");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "token=hrldt_from_file\nadmin_token=old_from_file\n");
        assertThat(run("rooms", "list").code()).isZero();
        server.verify(getRequestedFor(urlEqualTo("/v1/rooms")).withHeader("Authorization", equalTo("Bearer hrldt_from_file")));

        env.put("HERALD_ADMIN_TOKEN", "old_from_env");
        assertThat(run("dlq", "list").code()).isZero();
        server.verify(getRequestedFor(urlPathEqualTo("/v1/dead-letters"))
                .withHeader("Authorization", equalTo("Bearer old_from_env")));
        env.put("HERALD_TOKEN", "hrldt_from_env");
        assertThat(run("matrix", "accounts").code()).isZero();
        server.verify(getRequestedFor(urlEqualTo("/v1/matrix-accounts"))
                .withHeader("Authorization", equalTo("Bearer hrldt_from_env")));
        assertThat(run("rooms", "list", "--token", "hrldt_from_flag").code()).isZero();
        server.verify(getRequestedFor(urlEqualTo("/v1/rooms")).withHeader("Authorization", equalTo("Bearer hrldt_from_flag")));

        server.stubFor(get(urlEqualTo("/v1/rooms")).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/problem+json")
                .withBody("{\"status\":401,\"detail\":\"unknown service token\"}")));
        Result refused = run("rooms", "list");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("401", "unknown service token").doesNotContain("hrldt_from_env");
    }

    @Test
    void settingsComeFromFlagsThenEnvironmentThenTheConfigFile() throws IOException {
        env.remove("HERALD_RULES_URL");
        Path config = home.resolve(".config/herald/config");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "# herald\nrules_url = " + server.baseUrl() + "\nHERALD_API_KEY=\"hrld_from_file\"\n");
        server.stubFor(get(urlEqualTo("/v1/rooms")).willReturn(okJson("[]")));
        server.stubFor(post(urlEqualTo("/v1/rooms/ops/send")).willReturn(okJson("{\"id\":\"n\"}")));

        assertThat(run("rooms", "list").code()).isZero();
        assertThat(run("send", "ops", "b").code()).isZero();
        server.verify(postRequestedFor(urlEqualTo("/v1/rooms/ops/send"))
                .withHeader("Authorization", equalTo("Bearer hrld_from_file")));

        env.put("HERALD_API_KEY", "hrld_from_env");
        run("send", "ops", "b");
        server.verify(postRequestedFor(urlEqualTo("/v1/rooms/ops/send"))
                .withHeader("Authorization", equalTo("Bearer hrld_from_env")));
        run("send", "ops", "b", "--api-key", "hrld_from_flag");
        server.verify(postRequestedFor(urlEqualTo("/v1/rooms/ops/send"))
                .withHeader("Authorization", equalTo("Bearer hrld_from_flag")));

        env.put("HERALD_RULES_URL", "http://127.0.0.1:1");
        assertThat(run("rooms", "list").code()).as("environment beats the file").isEqualTo(3);
        assertThat(run("rooms", "list", "--rules-url", server.baseUrl()).code()).as("flag beats the environment").isZero();
        assertThat(run("rooms", "list", "--config", home.resolve("missing").toString()).code()).isEqualTo(1);
    }

    @Test
    void usageErrorsExitWith1() {
        assertThat(run().code()).isEqualTo(1);
        assertThat(run("nonsense").code()).isEqualTo(1);
        Result group = run("dlq");
        assertThat(group.code()).isEqualTo(1);
        assertThat(group.err()).contains("list", "replay");
        assertThat(run("rooms", "list", "--bogus").code()).isEqualTo(1);
        assertThat(run("dlq", "list", "--limit", "many").code()).isEqualTo(1);
    }

    @Test
    void everyCommandHasHelp() {
        List<List<String>> paths = new ArrayList<>();
        collect(HeraldCli.commandLine(new Context(env, home, System.in, new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()), null)), new ArrayList<>(), paths);
        assertThat(paths).hasSizeGreaterThan(25);
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            Result help = run(args.toArray(String[]::new));
            assertThat(help.code()).as(String.join(" ", args)).isZero();
            assertThat(help.out()).as(String.join(" ", args)).contains("Usage: herald");
        }
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
        paths.add(path);
        command.getSubcommands().forEach((name, sub) -> {
            if (sub.getCommandName().equals(name)) {
                List<String> next = new ArrayList<>(path);
                next.add(name);
                collect(sub, next, paths);
            }
        });
    }

    @Test
    void bashCompletionIsGenerated() {
        Result completion = run("generate-completion");
        assertThat(completion.code()).isZero();
        assertThat(completion.out()).contains("complete -F", "herald", "matrix", "dlq");
    }
}

package io.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.NotificationEvent;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every recipe of docs/senders.md, sent as the client it is written for sends it: the recipe's text must be in the
 * document as it is here, and the request below is what that command puts on the wire (method, headers, content
 * type, body), with the example key replaced by a real one.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class RecipesTest {

    private static final String EXAMPLE = "https://herald.example.org";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static TestKeys.Key key;

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void key() {
        if (key == null) {
            key = TestKeys.any();
        }
    }

    /** The recipe is in the document, word for word. */
    private static void documented(String recipe) throws Exception {
        assertThat(Files.readString(doc())).contains(recipe);
    }

    private static java.nio.file.Path doc() {
        for (java.nio.file.Path dir = java.nio.file.Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docs/senders.md"))) {
                return dir.resolve("docs/senders.md");
            }
        }
        throw new IllegalStateException("docs/senders.md not found");
    }

    /** Sends the request; the record it made. */
    private NotificationEvent send(String method, String url, Map<String, String> headers, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.replace(EXAMPLE, base.toString()
                .replaceAll("/$", "")).replace("hrld_…", key.secret())));
        headers.forEach((name, value) -> request.header(name, value.replace("hrld_…", key.secret())));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String id = response.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        assertThat(response.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith(id));
        return Records.one(id);
    }

    private static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((":" + key.secret()).getBytes(StandardCharsets.UTF_8));
    }

    private static Object body(NotificationEvent event) {
        return event.event().content().get("body");
    }

    @Test
    void routerOsToolFetch() throws Exception {
        documented("/tool fetch url=\"https://herald.example.org/v1/rooms/ops/send\" http-method=post"
                + " http-header-field=\"Authorization: Bearer hrld_…,Title: router1,Tags: warning\""
                + " http-data=\"WAN link down\" output=none");
        NotificationEvent event = send("POST", EXAMPLE + "/v1/rooms/ops/send", Map.of("Authorization",
                "Bearer hrld_…", "Title", "router1", "Tags", "warning", "Content-Type",
                "application/x-www-form-urlencoded"), "WAN link down");
        assertThat(body(event)).isEqualTo("⚠️ router1\n\nWAN link down");
    }

    @Test
    void curl() throws Exception {
        documented("curl -fsS -u :hrld_… -H \"Title: Backup failed\" -H \"Priority: high\" -d \"nas1 could not reach"
                + " the target\" https://herald.example.org/v1/rooms/ops/send");
        NotificationEvent event = send("POST", EXAMPLE + "/v1/rooms/ops/send", Map.of("Authorization", basic(),
                "Title", "Backup failed", "Priority", "high", "Content-Type", "application/x-www-form-urlencoded",
                "Accept", "*/*"), "nas1 could not reach the target");
        assertThat(body(event)).isEqualTo("Backup failed\n\nnas1 could not reach the target");
        assertThat(event.priority()).isEqualTo("high");
    }

    @Test
    void wget() throws Exception {
        documented("wget -q -O- --header=\"Authorization: Bearer hrld_…\" --post-data=\"disk /volume1 at 95%\""
                + " https://herald.example.org/v1/rooms/ops/send");
        NotificationEvent event = send("POST", EXAMPLE + "/v1/rooms/ops/send", Map.of("Authorization",
                "Bearer hrld_…", "Content-Type", "application/x-www-form-urlencoded"), "disk /volume1 at 95%");
        assertThat(body(event)).isEqualTo("disk /volume1 at 95%");
    }

    @Test
    void aUrlFetch() throws Exception {
        String url = "https://herald.example.org/v1/rooms/ops/send?auth=hrld_…&title=UPS&priority=urgent&message=On+battery";
        documented(url);
        NotificationEvent event = send("GET", url.replace("hrld_…", URLEncoder.encode("hrld_…",
                StandardCharsets.UTF_8)).replace(URLEncoder.encode("hrld_…", StandardCharsets.UTF_8), "hrld_…"),
                Map.of(), null);
        assertThat(body(event)).isEqualTo("UPS\n\nOn battery");
        assertThat(event.priority()).isEqualTo("urgent");
    }

    @Test
    void pythonRequests() throws Exception {
        documented("requests.post(\"https://herald.example.org/v1/rooms/ops/send\", data=\"Nightly import finished\""
                + ".encode(), headers={\"Authorization\": \"Bearer hrld_…\", \"Title\": \"import\", \"Tags\":"
                + " \"white_check_mark\"}, timeout=10)");
        // requests sends bytes without a Content-Type
        NotificationEvent event = send("POST", EXAMPLE + "/v1/rooms/ops/send", Map.of("Authorization",
                "Bearer hrld_…", "Title", "import", "Tags", "white_check_mark"), "Nightly import finished");
        assertThat(body(event)).isEqualTo("✅ import\n\nNightly import finished");
    }

    @Test
    void systemdOnFailure() throws Exception {
        documented("ExecStart=/usr/bin/curl -fsS -u :hrld_… -H \"Title: %i failed\" -H \"Priority: high\" -H \"Tags:"
                + " rotating_light\" -d \"%i failed on %H\" https://herald.example.org/v1/rooms/ops/send");
        // systemd expands %i (the failed unit) and %H (the host)
        NotificationEvent event = send("POST", EXAMPLE + "/v1/rooms/ops/send", Map.of("Authorization", basic(),
                "Title", "backup.service failed", "Priority", "high", "Tags", "rotating_light", "Content-Type",
                "application/x-www-form-urlencoded"), "backup.service failed on nas1");
        assertThat(body(event)).isEqualTo("🚨 backup.service failed\n\nbackup.service failed on nas1");
    }

    @Test
    void gitHubActions() throws Exception {
        documented("-d '{\"title\": \"${{ github.repository }} failed\", \"message\": \"${{ github.workflow }} on"
                + " ${{ github.ref_name }}\", \"link\": \"${{ github.server_url }}/${{ github.repository }}/actions/runs/"
                + "${{ github.run_id }}\", \"tags\": [\"x\"]}'");
        NotificationEvent event = send("POST", EXAMPLE + "/v1/rooms/ci/send", Map.of("Authorization", "Bearer hrld_…",
                "Content-Type", "application/json"), "{\"title\": \"acme/shop failed\", \"message\": \"build on main\","
                + " \"link\": \"https://github.com/acme/shop/actions/runs/42\", \"tags\": [\"x\"]}");
        assertThat(body(event)).isEqualTo("❌ acme/shop failed\n\nbuild on main\n\nhttps://github.com/acme/shop/actions/runs/42");
    }

    @Test
    void alertmanager() throws Exception {
        documented("      - url: https://herald.example.org/v1/rooms/ops/webhooks/alertmanager\n        http_config:\n"
                + "          authorization: {credentials: hrld_…}");
        // Alertmanager's authorization.credentials is sent as a bearer token
        NotificationEvent event = send("POST", EXAMPLE + "/v1/rooms/ops/webhooks/alertmanager", Map.of(
                "Authorization", "Bearer hrld_…", "Content-Type", "application/json"),
                AlertmanagerTest.payload("firing", "RecipeDisk", 1));
        assertThat((String) body(event)).startsWith("[FIRING] RecipeDisk on node1:9100");
    }

    @Test
    void grafanaWebhookContactPoint() throws Exception {
        documented("URL `https://herald.example.org/v1/rooms/ops/send`, HTTP method\n`POST`, *Authorization Header*"
                + " scheme `Bearer` and credentials `hrld_…`");
        // what Grafana's webhook contact point posts (abridged: the alerts list is ignored)
        String grafana = """
                {"receiver": "herald", "status": "firing", "orgId": 1, "alerts": [{"status": "firing",
                 "labels": {"alertname": "HighCPU"}}], "groupLabels": {"alertname": "HighCPU"},
                 "externalURL": "https://grafana.local/", "version": "1", "groupKey": "{}:{alertname=\\"HighCPU\\"}",
                 "truncatedAlerts": 0, "title": "[FIRING:1] HighCPU", "state": "alerting",
                 "message": "**Firing**\\n\\nValue: A=97"}""";
        NotificationEvent event = send("POST", EXAMPLE + "/v1/rooms/ops/send", Map.of("Authorization",
                "Bearer hrld_…", "Content-Type", "application/json"), grafana);
        assertThat(body(event)).isEqualTo("[FIRING:1] HighCPU\n\n**Firing**\n\nValue: A=97");
    }

    @Test
    void uptimeKumaWithATemplate() throws Exception {
        String template = "{\"subject\": \"{payload.monitor.name} is {#if payload.heartbeat.status == 1}up{#else}down{/if}\","
                + " \"body\": \"{payload.msg}\", \"priority\": \"{#if payload.heartbeat.status == 1}low{#else}high{/if}\"}";
        documented("https://herald.example.org/v1/admin/templates/uptime-kuma -d '" + template + "'");
        given().header("Authorization", TestKeys.ADMIN).contentType("application/json").body(template)
                .put("/v1/admin/templates/uptime-kuma").then().statusCode(200);
        documented("*Post URL* `https://herald.example.org/v1/rooms/ops/webhooks/uptime-kuma`");
        // Uptime Kuma's "Preset - application/json" body
        String kuma = """
                {"heartbeat": {"monitorID": 3, "status": 0, "time": "2026-12-03 10:00:00", "msg": "connect ECONNREFUSED",
                 "important": true, "duration": 60}, "monitor": {"id": 3, "name": "nas1", "url": "https://nas1.local",
                 "type": "http"}, "msg": "[nas1] [🔴 Down] connect ECONNREFUSED"}""";
        NotificationEvent event = send("POST", EXAMPLE + "/v1/rooms/ops/webhooks/uptime-kuma", Map.of(
                "Authorization", "Bearer hrld_…", "Content-Type", "application/json"), kuma);
        assertThat(body(event)).isEqualTo("nas1 is down\n\n[nas1] [🔴 Down] connect ECONNREFUSED");
        assertThat(event.priority()).isEqualTo("high");
        assertThat(List.of(event.source())).containsExactly("webhook:uptime-kuma");
    }
}

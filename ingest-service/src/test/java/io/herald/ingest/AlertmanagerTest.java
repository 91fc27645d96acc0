package io.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import io.herald.common.Json;
import io.herald.common.NotificationEvent;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class AlertmanagerTest {

    private static TestKeys.Key key;

    @BeforeEach
    void key() {
        if (key == null) {
            key = TestKeys.any();
        }
    }

    /** An Alertmanager v4 payload as Alertmanager sends it, with {@code count} alerts of one group. */
    static String payload(String status, String alertname, int count) {
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            Map<String, Object> alert = new LinkedHashMap<>();
            alert.put("status", status);
            alert.put("labels", Map.of("alertname", alertname, "instance", "node" + i + ":9100", "severity", "critical"));
            alert.put("annotations", Map.of("summary", "Disk almost full on node" + i,
                    "description", "Only 3% left on /var", "runbook_url", "https://runbooks.local/disk"));
            alert.put("startsAt", "2026-11-22T01:00:00.000Z");
            alert.put("endsAt", "resolved".equals(status) ? "2026-11-22T02:00:00.000Z" : "0001-01-01T00:00:00Z");
            alert.put("generatorURL", "http://prometheus.local/graph?g0.expr=disk" + i);
            // as Alertmanager makes it: a hash of the labels, so alerts of other names have other fingerprints
            alert.put("fingerprint", Integer.toHexString((alertname + ":node" + i).hashCode()));
            alerts.add(alert);
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("version", "4");
        payload.put("groupKey", "{}:{alertname=\"" + alertname + "\"}");
        payload.put("truncatedAlerts", 0);
        payload.put("status", status);
        payload.put("receiver", "herald");
        payload.put("groupLabels", Map.of("alertname", alertname));
        payload.put("commonLabels", Map.of("alertname", alertname, "severity", "critical"));
        payload.put("commonAnnotations", Map.of("description", "Only 3% left on /var", "runbook_url", "https://runbooks.local/disk"));
        payload.put("externalURL", "http://alertmanager.local:9093");
        payload.put("alerts", alerts);
        return Json.encode(payload);
    }

    private static List<String> post(String body, String mode) {
        var request = given().header("Authorization", key.bearer()).contentType("application/json").body(body);
        if (mode != null) {
            request.queryParam("mode", mode);
        }
        return request.post("/v1/rooms/ops/webhooks/alertmanager").then().statusCode(202).extract().path("ids");
    }

    @Test
    void firingAlertsBecomeOneNotificationEachWithLabelsAndAnnotations() {
        String name = "DiskFull" + UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = post(payload("firing", name, 2), null);
        assertThat(ids).hasSize(2).doesNotHaveDuplicates();
        List<NotificationEvent> events = Records.await(name, 2).stream().map(r -> Json.decodeNotification(r.value()))
                .sorted(Comparator.comparing(e -> (String) e.event().content().get("body"))).toList();
        assertThat(events).extracting(NotificationEvent::id).containsExactlyInAnyOrderElementsOf(ids);
        NotificationEvent first = events.get(0);
        assertThat(first.source()).isEqualTo("alertmanager");
        assertThat(first.event().content()).containsEntry("msgtype", "m.text");
        String body = (String) first.event().content().get("body");
        assertThat(body).startsWith("[FIRING] " + name + " on node1:9100\n\nDisk almost full on node1\nOnly 3% left on /var")
                .contains("runbook_url: https://runbooks.local/disk")
                .contains("Labels: alertname=" + name + ", instance=node1:9100, severity=critical")
                .contains("Started: 2026-11-22T01:00:00.000Z")
                .endsWith("http://prometheus.local/graph?g0.expr=disk1");
        assertThat((String) first.event().content().get("formatted_body"))
                .contains("<a href=\"http://prometheus.local/graph?g0.expr=disk1\">");
    }

    @Test
    void resolvedAlertsAreQuietNotices() {
        String name = "Resolved" + UUID.randomUUID().toString().substring(0, 8);
        post(payload("resolved", name, 1), "alert");
        NotificationEvent event = Records.one(name);
        assertThat(event.event().content()).containsEntry("msgtype", "m.notice");
        assertThat((String) event.event().content().get("body"))
                .startsWith("[RESOLVED] " + name + " on node1:9100").contains("Ended: 2026-11-22T02:00:00.000Z");
    }

    @Test
    void groupModeMakesOneNotificationForTheWholeGroup() {
        String name = "Grouped" + UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = post(payload("firing", name, 3), "group");
        assertThat(ids).hasSize(1);
        NotificationEvent event = Records.one(name);
        assertThat(event.id()).isEqualTo(ids.get(0));
        String body = (String) event.event().content().get("body");
        assertThat(body).startsWith("[FIRING:3] " + name + "\n\nOnly 3% left on /var")
                .contains("Labels: alertname=" + name + ", severity=critical")
                .contains("- [firing] instance=node1:9100: Disk almost full on node1")
                .contains("- [firing] instance=node3:9100: Disk almost full on node3")
                .endsWith("http://alertmanager.local:9093");
        assertThat(Records.all(name)).hasSize(1);
    }

    @Test
    void aRealMixedGroupPayloadInBothModes() throws Exception {
        String sample;
        try (var in = AlertmanagerTest.class.getResourceAsStream("/alertmanager/mixed-group.json")) {
            sample = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        TestKeys.Key own = TestKeys.create("am-" + UUID.randomUUID().toString().substring(0, 8), "@alertmanager:example.org",
                List.of("nas"), 1000.0, 1000);
        List<String> perAlert = given().header("Authorization", own.bearer()).contentType("application/json").body(sample)
                .post("/v1/rooms/nas/webhooks/alertmanager").then().statusCode(202).extract().path("ids");
        assertThat(perAlert).hasSize(2);
        List<NotificationEvent> events = perAlert.stream().map(Records::one).toList();
        assertThat(events.get(0).event().sender()).isEqualTo("@alertmanager:example.org");
        assertThat(events.get(0).event().content()).containsEntry("msgtype", "m.text");
        assertThat((String) events.get(0).event().content().get("body"))
                .startsWith("[FIRING] NodeFilesystemAlmostOutOfSpace on nas1:9100\n\nFilesystem has less than 5% space left.\n"
                        + "Filesystem on /dev/sda1 at nas1:9100 has only 4.2% available space left.")
                .contains("mountpoint=/volume1");
        assertThat(events.get(1).event().content()).containsEntry("msgtype", "m.notice");
        assertThat((String) events.get(1).event().content().get("body"))
                .startsWith("[RESOLVED] NodeFilesystemAlmostOutOfSpace on nas2:9100").contains("Ended: 2026-11-21T22:10:33.271Z");

        List<String> grouped = given().header("Authorization", own.bearer()).contentType("application/json").body(sample)
                .queryParam("mode", "group").post("/v1/rooms/nas/webhooks/alertmanager")
                .then().statusCode(202).extract().path("ids");
        NotificationEvent group = Records.one(grouped.get(0));
        assertThat(group.event().content()).containsEntry("msgtype", "m.text");
        assertThat((String) group.event().content().get("body"))
                .startsWith("[FIRING:1] NodeFilesystemAlmostOutOfSpace (1 resolved)\n\nFilesystem has less than 5% space left.")
                .contains("- [firing] device=/dev/sda1, instance=nas1:9100, mountpoint=/volume1: Filesystem on /dev/sda1")
                .contains("- [resolved] device=/dev/sdb1, instance=nas2:9100, mountpoint=/volume2")
                .endsWith("http://alertmanager:9093");
    }

    @Test
    void notAnAlertmanagerPayloadIs400() {
        for (String bad : List.of("{}", "{\"alerts\":[]}", "{\"alerts\":[{\"status\":\"weird\"}]}", "{\"alerts\":[1]}",
                "{\"alerts\":\"x\"}", "[]", "not json")) {
            given().header("Authorization", key.bearer()).contentType("application/json").body(bad)
                    .post("/v1/rooms/ops/webhooks/alertmanager").then().statusCode(400)
                    .contentType("application/problem+json");
        }
        given().header("Authorization", key.bearer()).contentType("application/json").body(payload("firing", "x", 1))
                .queryParam("mode", "everything").post("/v1/rooms/ops/webhooks/alertmanager")
                .then().statusCode(400).body("errors.field", hasItem("mode"));
        given().header("Authorization", key.bearer()).contentType("application/json").body("{\"alerts\":[{\"status\":\"weird\"}]}")
                .post("/v1/rooms/ops/webhooks/alertmanager").then().statusCode(400)
                .body("errors", hasSize(1)).body("errors.field", hasItem("alerts[0].status"));
    }
}

package io.herald.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.NotificationEvent;
import io.herald.common.Topics;
import io.herald.telemetry.LogFields;
import io.herald.telemetry.Tracing;
import io.herald.testsupport.CapturedLogs;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.herald.testsupport.Scrape;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The rules-service's metrics and log fields (docs/operations.md). */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class RoutingObservabilityTest {

    private static final String GW = "https://gw.example.org/_matrix/push/v1/notify";

    @TestHTTPResource(value = "metrics", management = true)
    URL metrics;

    @Inject
    Tracing tracing;

    @Test
    void fanOutEvaluationsCachesAndLagAreMeasured() {
        Auth.admin().contentType("application/json").body("{\"matrix_room_id\":\"!obs:example.org\",\"account\":\"bot\"}")
                .put("/v1/rooms/obs").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        Auth.admin().contentType("application/json").body("{}").put("/v1/rooms/obs/members/@obs-a:example.org")
                .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        Auth.admin().contentType("application/json").body(PusherResourceTest.pusher("com.example.app", "obs-phone", GW, ""))
                .post("/v1/users/@obs-a:example.org/pushers/set").then().statusCode(200);
        double planned = scrape().value("herald_notifications_processed_total{outcome=\"planned\"}");
        NotificationEvent n = new NotificationEvent(UUID.randomUUID().toString(), "obs",
                MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", "counted")), Instant.now(),
                "test");
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.NOTIFICATIONS, "obs", Json.encode(n));
        KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.DELIVERIES, r -> r.value().contains(n.id()), 2,
                Duration.ofSeconds(60));

        await().atMost(Duration.ofSeconds(30)).until(() -> scrape()
                .value("herald_notifications_processed_total{outcome=\"planned\"}") > planned);
        Scrape after = scrape();
        // the room and one pusher: two deliveries
        assertThat(after.value("herald_fanout_deliveries_bucket{le=\"2.0\"}")
                - after.value("herald_fanout_deliveries_bucket{le=\"1.0\"}")).isPositive();
        assertThat(after.value("herald_push_rule_evaluations_total{result=\"notify\"}")).isPositive();
        assertThat(after.value("cache_gets_total{cache=\"rules-rooms\",result=\"hit\"}")
                + after.value("cache_gets_total{cache=\"rules-rooms\",result=\"miss\"}")).isPositive();
        assertThat(after.has("herald_consumer_lag")).isTrue();
        assertThat(after.text()).contains("herald_consumer_lag{group=\"herald-rules\",topic=\"herald.notifications\"}");
        // no OTLP endpoint is configured: tracing is off
        assertThat(tracing.enabled()).isFalse();
    }

    @Test
    void aDeadLetteredNotificationIsLoggedWithItsFields() {
        NotificationEvent n = new NotificationEvent(UUID.randomUUID().toString(), "no-such-room-obs",
                MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", "lost")), Instant.now(),
                "test");
        try (CapturedLogs logs = CapturedLogs.start()) {
            KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.NOTIFICATIONS, "obs", Json.encode(n));
            await().atMost(Duration.ofSeconds(60)).until(() -> logs.lines().stream()
                    .anyMatch(l -> l.message().contains("notification " + n.id() + " dead-lettered")));
            CapturedLogs.Line line = logs.lines().stream()
                    .filter(l -> l.message().contains("notification " + n.id() + " dead-lettered")).findFirst().orElseThrow();
            assertThat(line.mdc()).containsEntry(LogFields.NOTIFICATION_ID, n.id())
                    .containsEntry(LogFields.ROOM, "no-such-room-obs");
        }
        assertThat(scrape().value("herald_notifications_processed_total{outcome=\"dead_lettered\"}")).isPositive();
    }

    private Scrape scrape() {
        return Scrape.of(metrics.toString());
    }
}

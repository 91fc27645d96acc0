package io.herald.dispatcher;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.herald.common.Delivery;
import io.herald.dispatcher.delivery.BacklogGauges;
import io.herald.telemetry.LogFields;
import io.herald.telemetry.Tracing;
import io.herald.testsupport.CapturedLogs;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.herald.testsupport.Scrape;
import jakarta.inject.Inject;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ObservabilityTest {

    @Inject
    BacklogGauges backlog;

    @Inject
    Tracing tracing;

    /** Health and metrics are served by the management interface, on its own port. */
    @TestHTTPResource(value = "health/ready", management = true)
    URL readiness;

    @TestHTTPResource(value = "metrics", management = true)
    URL metrics;

    @Test
    void readinessReflectsKafkaAndPostgres() {
        given().get(readiness).then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Database connections health check"))
                .body("checks.name", hasItem("SmallRye Reactive Messaging - readiness check"));
    }

    @Test
    void deliveryOutcomesByHostLatencyBacklogCircuitsCachesAndLagAreExported() {
        WireMockServer homeserver = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        homeserver.start();
        try {
            homeserver.stubFor(put(urlPathMatching("/_matrix/client/v3/rooms/.*/send/.*"))
                    .willReturn(okJson("{\"event_id\":\"$obs\"}")));
            String account = Deliveries.account("obs", homeserver.baseUrl(), "");
            Delivery delivered = Deliveries.delivery(account, Deliveries.room(), "ops");
            Deliveries.produce(delivered);
            Deliveries.awaitState(delivered.id(), "delivered");

            // A homeserver failing: the delivery is parked, and counted as parked on its host (WireMock's base URL names
            // localhost).
            String failingRoom = Deliveries.room();
            homeserver.stubFor(put(urlPathMatching(Deliveries.sendsTo(failingRoom))).atPriority(1)
                    .willReturn(aResponse().withStatus(500)));
            Delivery parked = Deliveries.delivery(account, failingRoom, "ops");
            Deliveries.produce(parked);
            Deliveries.awaitState(parked.id(), "retrying");
            await().atMost(Deliveries.WAIT).until(() -> {
                backlog.refresh();
                return scrape().value("herald_parked_deliveries{host=\"localhost\"}") > 0;
            });
            assertThat(scrape().value("herald_oldest_pending_seconds")).isPositive();
            homeserver.stubFor(put(urlPathMatching(Deliveries.sendsTo(failingRoom))).atPriority(1)
                    .willReturn(okJson("{\"event_id\":\"$late\"}")));
            Deliveries.awaitState(parked.id(), "delivered");
        } finally {
            homeserver.stop();
        }

        backlog.refresh();
        Scrape metrics = scrape();
        assertThat(metrics.value("herald_deliveries_total{host=\"localhost\",kind=\"matrix_room\",outcome=\"delivered\"}"))
                .isGreaterThanOrEqualTo(2);
        assertThat(metrics.value("herald_delivery_latency_seconds_count{kind=\"matrix_room\"}")).isGreaterThanOrEqualTo(2);
        assertThat(metrics.value("herald_delivery_latency_seconds_bucket{kind=\"matrix_room\",le=\"+Inf\"}"))
                .isGreaterThanOrEqualTo(2);
        // one state of the host's circuits at a time (other tests' accounts on localhost may have opened theirs)
        assertThat(metrics.value("herald_circuit_state{host=\"localhost\",state=\"closed\"}")
                + metrics.value("herald_circuit_state{host=\"localhost\",state=\"half_open\"}")
                + metrics.value("herald_circuit_state{host=\"localhost\",state=\"open\"}")).isEqualTo(1);
        assertThat(metrics.value("cache_gets_total{cache=\"dispatcher-accounts\",result=\"hit\"}")).isPositive();
        assertThat(metrics.text()).contains("herald_consumer_lag{group=\"herald-dispatcher\",topic=\"herald.deliveries\"}")
                .contains("kafka_consumer_fetch_manager_records_lag");
        assertThat(metrics.has("herald_dead_letters")).isTrue();
        assertThat(metrics.has("herald_delivery_crashes_total")).isTrue();
        // no OTLP endpoint is configured: tracing is off
        assertThat(tracing.enabled()).isFalse();
    }

    @Test
    void aDeadLetterIsCountedAndLoggedWithTheDeliverysFields() {
        // A delivery to an unknown account: dead-lettered at once, counted, and logged with its fields.
        Delivery dead = Deliveries.delivery("metrics-nobody", "!m:example.org", "ops");
        try (CapturedLogs logs = CapturedLogs.start()) {
            Deliveries.produce(dead);
            await().atMost(Deliveries.WAIT).until(() -> logs.lines().stream()
                    .anyMatch(l -> l.message().startsWith("delivery " + dead.id() + " to ")));
            CapturedLogs.Line line = logs.lines().stream()
                    .filter(l -> l.message().startsWith("delivery " + dead.id() + " to ")).findFirst().orElseThrow();
            assertThat(line.message()).contains("dead letter");
            assertThat(line.mdc()).containsEntry(LogFields.NOTIFICATION_ID, dead.notificationId())
                    .containsEntry(LogFields.DELIVERY_ID, dead.id()).containsEntry(LogFields.ROOM, "ops")
                    .containsEntry(LogFields.DESTINATION, dead.destination().key());
        }
        await().atMost(Deliveries.WAIT).until(() -> scrape()
                .value("herald_deliveries_total{host=\"unknown\",kind=\"matrix_room\",outcome=\"dead\"}") > 0);
        await().atMost(Deliveries.WAIT).until(() -> {
            backlog.refresh();
            return scrape().value("herald_dead_letters") > 0;
        });
    }

    private Scrape scrape() {
        return Scrape.of(metrics.toString());
    }

    @Test
    void theApiPortServesNeitherHealthNorMetricsButStillOpenApi() {
        given().get("/q/health/ready").then().statusCode(404);
        given().get("/q/metrics").then().statusCode(404);
        given().get("/q/openapi").then().statusCode(200);
        assertThat(metrics.getPort()).isNotEqualTo(io.restassured.RestAssured.port);
    }
}

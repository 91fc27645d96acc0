package io.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.herald.testsupport.Scrape;
import io.prometheus.client.exemplars.ExemplarSampler;
import io.quarkus.micrometer.runtime.export.exemplars.NoopOpenTelemetryExemplarContextUnwrapper;
import io.quarkus.micrometer.runtime.export.exemplars.OpenTelemetryContextUnwrapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the intake metrics say about accepted and refused requests (docs/operations.md, "Metrics"). */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class IntakeMetricsTest {

    @TestHTTPResource(value = "metrics", management = true)
    URL metrics;

    @Inject
    Instance<Optional<ExemplarSampler>> exemplarSampler;

    @Inject
    OpenTelemetryContextUnwrapper contextUnwrapper;

    @Test
    void requestsAreCountedByEndpointAndReasonAndNotificationsBySource() {
        TestKeys.Key key = TestKeys.any();
        double before = value("herald_intake_requests_total{endpoint=\"notifications\",outcome=\"accepted\",reason=\"accepted\"}");
        given().header("Authorization", key.bearer()).contentType("application/json").body("{\"body\":\"counted\"}")
                .post("/v1/rooms/ops/notifications").then().statusCode(202);
        given().header("Authorization", key.bearer()).contentType("application/json").body("{\"body\":\"again\"}")
                .post("/v1/rooms/ops/notifications").then().statusCode(202);
        given().header("Authorization", "Bearer hrld_unknown").contentType("application/json").body("{\"body\":\"x\"}")
                .post("/v1/rooms/ops/notifications").then().statusCode(401);
        given().header("Authorization", key.bearer()).contentType("application/json").body("{\"subject\":\"no body\"}")
                .post("/v1/rooms/ops/notifications").then().statusCode(400);
        given().header("Authorization", key.bearer()).contentType("application/json").body("{\"type\":\"m.room.message\"}")
                .post("/v1/rooms/ops/events").then().statusCode(400);
        given().header("Authorization", key.bearer()).contentType("text/plain").body("one line")
                .post("/v1/rooms/ops/send").then().statusCode(202);

        assertThat(value("herald_intake_requests_total{endpoint=\"notifications\",outcome=\"accepted\",reason=\"accepted\"}"))
                .isEqualTo(before + 2);
        assertThat(value("herald_intake_requests_total{endpoint=\"notifications\",outcome=\"refused\",reason=\"unauthenticated\"}"))
                .isPositive();
        assertThat(value("herald_intake_requests_total{endpoint=\"notifications\",outcome=\"refused\",reason=\"invalid\"}"))
                .isPositive();
        assertThat(value("herald_intake_requests_total{endpoint=\"events\",outcome=\"refused\",reason=\"invalid\"}"))
                .isPositive();
        assertThat(value("herald_intake_requests_total{endpoint=\"send\",outcome=\"accepted\",reason=\"accepted\"}"))
                .isPositive();
        assertThat(value("herald_notifications_accepted_total{source=\"http\"}")).isGreaterThanOrEqualTo(2);
        // the second request found the key in the cache
        assertThat(value("cache_gets_total{cache=\"ingest-api-keys\",result=\"hit\"}")).isPositive();
        assertThat(value("cache_gets_total{cache=\"ingest-api-keys\",result=\"miss\"}")).isPositive();
    }

    @Test
    void metricUpdatesDoNotLookForASpan() {
        // Quarkus' exemplar sampler would ask for the current span on every update; Herald's are never current
        assertThat(exemplarSampler.get()).isEmpty();
        assertThat(contextUnwrapper).isInstanceOf(NoopOpenTelemetryExemplarContextUnwrapper.class);
    }

    private double value(String sample) {
        return Scrape.of(metrics.toString()).value(sample);
    }
}

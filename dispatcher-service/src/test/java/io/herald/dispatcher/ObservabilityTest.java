package io.herald.dispatcher;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.Topics;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ObservabilityTest {

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
    void deliveryOutcomesLatencyAndConsumerLagAreExported() {
        // A delivery to an unknown account: dead-lettered at once, and counted.
        Destination destination = Destination.room("metrics-nobody", "!m:example.org");
        Delivery delivery = new Delivery(UUID.randomUUID().toString(), "n", "ops", destination,
                MatrixEvent.message("@a:example.org", Map.of("body", "x")), Map.of(), "high", 0, null, Instant.now());
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.DELIVERIES, destination.key(), Json.encode(delivery));

        await().atMost(Duration.ofSeconds(60)).until(() -> given().get(metrics).asString()
                .contains("herald_deliveries_total{kind=\"matrix_room\",outcome=\"dead\""));
        given().get(metrics).then().statusCode(200)
                .body(containsString("kafka_consumer_fetch_manager_records_lag"));
    }

    @Test
    void theApiPortServesNeitherHealthNorMetricsButStillOpenApi() {
        given().get("/q/health/ready").then().statusCode(404);
        given().get("/q/metrics").then().statusCode(404);
        given().get("/q/openapi").then().statusCode(200);
        assertThat(metrics.getPort()).isNotEqualTo(io.restassured.RestAssured.port);
    }
}

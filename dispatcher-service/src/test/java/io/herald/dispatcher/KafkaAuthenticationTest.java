package io.herald.dispatcher;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.Topics;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaUsers;
import io.herald.testsupport.PostgresTestResource;
import io.herald.testsupport.SecuredEmbeddedKafka;
import io.herald.testsupport.SecuredKafkaTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher on a broker that authenticates every client (SASL/SCRAM-SHA-512) and enforces the ACLs of the
 * Kubernetes manifests, as the KafkaUser herald-dispatcher: its channels, its dead-letter producer and the admin
 * clients of its change feed all authenticate.
 */
@QuarkusTest
@WithTestResource(value = SecuredKafkaTestResource.class, initArgs = @ResourceArg(name = "user", value = KafkaUsers.DISPATCHER))
@WithTestResource(PostgresTestResource.class)
class KafkaAuthenticationTest {

    @TestHTTPResource(value = "health/ready", management = true)
    URL readiness;

    @Test
    void theChangesTopicIsCreatedWithTheDispatchersCredentials() throws Exception {
        // The secured broker starts without it and creates nothing by itself: the change feed made it, as herald-dispatcher.
        try (Admin admin = Admin.create(SecuredEmbeddedKafka.get().adminSettings())) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("herald.changes");
        }
        given().get(readiness).then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void aDeliveryFromTheRulesServiceIsConsumedAndDeadLettered() {
        Destination destination = Destination.room("auth-nobody", "!a:example.org");
        Delivery delivery = new Delivery(UUID.randomUUID().toString(), "n", "ops", destination,
                MatrixEvent.message("@a:example.org", Map.of("body", "x")), Map.of(), "high", 0, null, Instant.now());
        KafkaRecords.send(SecuredEmbeddedKafka.get().clientSettings(KafkaUsers.RULES), Topics.DELIVERIES,
                destination.key(), Json.encode(delivery).getBytes(StandardCharsets.UTF_8));

        var dead = KafkaRecords.await(SecuredEmbeddedKafka.get().adminSettings(), Topics.DELIVERIES_DLQ,
                r -> r.value().contains(delivery.id()), 1, Duration.ofSeconds(60));
        assertThat(dead).hasSize(1);
        assertThat(KafkaRecords.header(dead.get(0), "dead-letter-reason")).contains("unknown Matrix account 'auth-nobody'");
    }
}

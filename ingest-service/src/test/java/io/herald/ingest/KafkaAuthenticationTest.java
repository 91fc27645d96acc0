package io.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.Topics;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaUsers;
import io.herald.testsupport.PostgresTestResource;
import io.herald.testsupport.SecuredEmbeddedKafka;
import io.herald.testsupport.SecuredKafkaTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * ingest on a broker that authenticates every client (SASL/SCRAM-SHA-512) and enforces the ACLs of the Kubernetes
 * manifests: it publishes as the KafkaUser herald-ingest, with the settings given as kafka.* configuration.
 */
@QuarkusTest
@WithTestResource(value = SecuredKafkaTestResource.class, initArgs = @ResourceArg(name = "user", value = KafkaUsers.INGEST))
@WithTestResource(PostgresTestResource.class)
class KafkaAuthenticationTest {

    @Test
    void notificationsArePublishedAsTheIngestUser() {
        TestKeys.Key key = TestKeys.any();
        String marker = "authenticated-" + UUID.randomUUID();
        given().header("Authorization", key.bearer()).contentType("application/json")
                .body("{\"body\":\"" + marker + "\"}").post("/v1/rooms/secured/notifications").then().statusCode(202);

        var records = KafkaRecords.await(SecuredEmbeddedKafka.get().adminSettings(), Topics.NOTIFICATIONS,
                r -> r.value().contains(marker), 1, Duration.ofSeconds(30));
        assertThat(records).hasSize(1);
        assertThat(records.get(0).key()).isEqualTo("secured");
    }
}

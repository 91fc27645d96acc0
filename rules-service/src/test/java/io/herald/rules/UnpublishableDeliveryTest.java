package io.herald.rules;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.NotificationEvent;
import io.herald.common.Topics;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A delivery Kafka refuses for good (here: larger than the deliveries producer's {@code max.request.size}) dead-letters
 * its notification with the reason instead of being retried forever, and the partition goes on.
 */
@QuarkusTest
@TestProfile(UnpublishableDeliveryTest.SmallRecords.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class UnpublishableDeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    public static class SmallRecords implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.outgoing.deliveries.max.request.size", "8192");
        }
    }

    @Test
    void aDeliveryTooLargeForTheProducerDeadLettersItsNotificationAndLaterRecordsFlow() {
        Auth.admin().contentType("application/json").body("{\"matrix_room_id\":\"!large:example.org\",\"account\":\"bot\"}")
                .put("/v1/rooms/large").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        String bootstrap = KafkaRecords.bootstrapServers();
        // within the contract (under 64 KiB), but over this producer's 8 KiB
        NotificationEvent large = notification("x".repeat(20_000));
        NotificationEvent small = notification("after the large one");
        KafkaRecords.send(bootstrap, Topics.NOTIFICATIONS, "large", Json.encode(large));
        KafkaRecords.send(bootstrap, Topics.NOTIFICATIONS, "large", Json.encode(small));

        List<ConsumerRecord<String, String>> delivered = KafkaRecords.await(bootstrap, Topics.DELIVERIES,
                r -> r.value().contains(small.id()), 1, WAIT);
        assertThat(delivered).hasSize(1);
        ConsumerRecord<String, String> dead = KafkaRecords.await(bootstrap, Topics.NOTIFICATIONS_DLQ,
                r -> r.value() != null && r.value().contains(large.id()), 1, WAIT).get(0);
        assertThat(KafkaRecords.header(dead, "dead-letter-reason"))
                .contains("cannot be written to herald.deliveries")
                .contains("RecordTooLargeException")
                .contains("0 of 1 deliveries were published");
        assertThat(Json.decodeNotification(dead.value())).isEqualTo(large);
        assertThat(KafkaRecords.readAll(bootstrap, Topics.DELIVERIES, r -> r.value().contains(large.id()))).isEmpty();
    }

    private static NotificationEvent notification(String body) {
        return new NotificationEvent(UUID.randomUUID().toString(), "large",
                MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", body)), Instant.now(),
                "test");
    }
}

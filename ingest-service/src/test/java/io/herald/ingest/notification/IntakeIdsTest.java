package io.herald.ingest.notification;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Notification ids of requests made with an Idempotency-Key are derived, not random: a request answered 503 whose
 * record still reached Kafka later, and the client's retry of it, publish the same notification id, so the room gets
 * one message (same delivery ids, same txnIds). Found by the fault suite (e2e-tests, Kafka broker stopped 20 s).
 */
class IntakeIdsTest {

    @Test
    void theSameRequestUnderTheSameKeyGetsTheSameIds() {
        assertThat(Intake.notificationId("t", "key-1", "hash", 0)).isEqualTo(Intake.notificationId("t", "key-1", "hash", 0));
    }

    @Test
    void anythingElseGetsAnotherId() {
        Set<String> ids = Set.of(
                Intake.notificationId("t", "key-1", "hash", 0),
                Intake.notificationId("t", "key-1", "hash", 1),
                Intake.notificationId("t", "key-2", "hash", 0),
                Intake.notificationId("u", "key-1", "hash", 0),
                Intake.notificationId("t", "key-1", "other", 0));
        assertThat(ids).hasSize(5);
        assertThat(ids).allMatch(id -> UUID.fromString(id).toString().equals(id));
    }
}

package io.herald.ingest;

import io.herald.common.Json;
import io.herald.common.NotificationEvent;
import io.herald.common.Topics;
import io.herald.testsupport.KafkaRecords;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reading what ingest wrote to herald.notifications. */
public final class Records {
    private Records() {
    }

    public static List<ConsumerRecord<String, String>> await(String marker, int count) {
        return KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.NOTIFICATIONS,
                r -> r.value().contains(marker), count, Duration.ofSeconds(30));
    }

    public static NotificationEvent one(String marker) {
        List<ConsumerRecord<String, String>> records = await(marker, 1);
        return Json.decodeNotification(records.get(0).value());
    }

    public static List<ConsumerRecord<String, String>> all(String marker) {
        return KafkaRecords.readAll(KafkaRecords.bootstrapServers(), Topics.NOTIFICATIONS,
                r -> r.value().contains(marker));
    }
}

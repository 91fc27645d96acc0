package io.herald.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClientSettingsTest {

    private final KafkaClientSettings settings = new KafkaClientSettings(Map.of(
            "bootstrap.servers", "kafka:9092",
            "security.protocol", "SASL_PLAINTEXT",
            "sasl.mechanism", "SCRAM-SHA-512",
            "group.id", "herald-rules"));

    @Test
    void securitySettingsReachHandBuiltClients() {
        assertThat(settings.asMap()).containsEntry("bootstrap.servers", "kafka:9092")
                .containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(settings.asProperties()).containsEntry("security.protocol", "SASL_PLAINTEXT");
    }

    @Test
    void theApplicationNameIsNotAConsumerGroup() {
        assertThat(settings.asMap()).doesNotContainKey("group.id");
        assertThat(settings.asProperties()).doesNotContainKey("group.id");
    }

    @Test
    void eachCopyIsTheCallersOwn() {
        Map<String, Object> mine = settings.asMap();
        mine.put("acks", "all");
        mine.remove("bootstrap.servers");
        assertThat(settings.asMap()).doesNotContainKey("acks").containsKey("bootstrap.servers");
    }
}

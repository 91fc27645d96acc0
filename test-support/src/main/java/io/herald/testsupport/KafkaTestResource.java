package io.herald.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at the embedded broker, or at nothing when Docker is there (Dev Services then
 * starts one). Attach with {@code @WithTestResource(KafkaTestResource.class)}.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        if (!Infrastructure.embedded()) {
            return Map.of();
        }
        return Map.of("kafka.bootstrap.servers", EmbeddedKafka.bootstrapServers());
    }

    @Override
    public void stop() {
        // shared by every test of the JVM; stopped at JVM exit
    }
}

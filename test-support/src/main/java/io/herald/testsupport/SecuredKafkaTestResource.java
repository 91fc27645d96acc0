package io.herald.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at {@link SecuredEmbeddedKafka}, authenticated as one Herald KafkaUser (with its
 * ACLs), in either infrastructure mode:
 * {@code @WithTestResource(value = SecuredKafkaTestResource.class, initArgs = @ResourceArg(name = "user", value = KafkaUsers.INGEST))}.
 */
public class SecuredKafkaTestResource implements QuarkusTestResourceLifecycleManager {

    private String user;

    @Override
    public void init(Map<String, String> initArgs) {
        user = initArgs.get("user");
        if (user == null || !KafkaUsers.acls().containsKey(user)) {
            throw new IllegalArgumentException("initArgs user must name a KafkaUser of " + KafkaUsers.MANIFEST + ": "
                    + KafkaUsers.acls().keySet());
        }
    }

    @Override
    public Map<String, String> start() {
        return SecuredEmbeddedKafka.get().quarkusConfig(user);
    }

    @Override
    public void stop() {
        // shared by every test of the JVM; stopped at JVM exit
    }
}

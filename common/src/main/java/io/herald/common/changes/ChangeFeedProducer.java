package io.herald.common.changes;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Makes the instance's {@link ChangeFeed} a CDI bean of every Quarkus service that injects it, with the service's
 * {@code kafka.*} settings (Quarkus' {@code default-kafka-broker} map). Nothing starts in a service that does not inject
 * it. A service starts it with its first user, so it should inject it into a bean that observes {@code StartupEvent}
 * and registers its {@link ChangeFeed#listen listener} there.
 */
@Singleton
public class ChangeFeedProducer {

    @Produces
    @Singleton
    ChangeFeed changeFeed(@Identifier("default-kafka-broker") Map<String, Object> kafka,
            @ConfigProperty(name = "quarkus.application.name") String service) {
        return ChangeFeed.start(kafka, service);
    }

    void close(@Disposes ChangeFeed feed) {
        feed.close();
    }
}

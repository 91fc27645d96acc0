package io.herald.dispatcher.delivery;

import io.herald.common.kafka.KafkaClientSettings;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Creates the retry topic at start when it does not exist yet (deployments normally create every Herald topic up
 * front, see docs/deploy.md). Without it, the retry consumer would subscribe to a missing topic and only find it
 * once the first delivery is parked, after a metadata refresh.
 */
@ApplicationScoped
public class TopicSetup {

    private static final Logger LOG = Logger.getLogger(TopicSetup.class);

    void createRetryTopic(@Observes @Priority(1) StartupEvent event,
            KafkaClientSettings kafka,
            @ConfigProperty(name = "mp.messaging.incoming.deliveries-retry.topic") String topic,
            @ConfigProperty(name = "herald.dispatcher.retry-topic.partitions") int partitions) {
        // The channels' own settings (bootstrap servers, SASL/TLS credentials): the admin client authenticates as they do.
        try (Admin admin = kafka.createAdmin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) -1))).all().get(30, TimeUnit.SECONDS);
            LOG.infof("created topic %s with %d partitions", topic, partitions);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.warnf("could not create topic %s: %s", topic, e.getCause().getMessage());
            }
        } catch (Exception e) {
            LOG.warnf("could not create topic %s: %s", topic, e.getMessage());
        }
    }
}

package io.herald.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The Kafka users and ACLs of deploy/kubernetes/base/kafka-users.yaml, enforced by a broker with SASL/SCRAM and
 * Kafka's StandardAuthorizer: each service may touch its own topics and nothing else.
 */
class KafkaAclTest {

    private static final SecuredEmbeddedKafka KAFKA = SecuredEmbeddedKafka.get();

    @Test
    void ingestWritesNotificationsButNotDeliveries() {
        assertThat(write(KafkaUsers.INGEST, "herald.notifications")).isNull();
        assertThat(write(KafkaUsers.INGEST, "herald.deliveries")).isInstanceOf(TopicAuthorizationException.class);
        assertThat(write(KafkaUsers.INGEST, "herald.notifications.dlq")).isInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void theDispatcherMayNotWriteNotifications() {
        assertThat(write(KafkaUsers.DISPATCHER, "herald.notifications")).isInstanceOf(TopicAuthorizationException.class);
        // what it does write: replays, dead letters, rejected pushers, and the change events, a topic it may create
        assertThat(createChangesTopic(KafkaUsers.PRODUCER)).isInstanceOf(TopicAuthorizationException.class);
        assertThat(createChangesTopic(KafkaUsers.DISPATCHER)).isNull();
        for (String topic : List.of("herald.deliveries", "herald.deliveries.dlq", "herald.pushers.rejected",
                "herald.changes")) {
            assertThat(write(KafkaUsers.DISPATCHER, topic)).as(topic).isNull();
        }
    }

    /** Null when the topic was created or already existed. */
    private static Throwable createChangesTopic(String user) {
        Throwable failure = failure(() -> {
            try (Admin admin = Admin.create(KafkaUsers.withTimeouts(KAFKA.clientSettings(user)))) {
                return admin.createTopics(List.of(new NewTopic("herald.changes", 1, (short) 1))).all()
                        .get(10, TimeUnit.SECONDS);
            }
        });
        return failure instanceof ExecutionException e && e.getCause() instanceof TopicExistsException ? null : failure;
    }

    @Test
    void theProducerUserWritesNotificationsAndNothingElse() {
        assertThat(write(KafkaUsers.PRODUCER, "herald.notifications")).isNull();
        for (String topic : List.of("herald.deliveries", "herald.changes", "herald.notifications.dlq",
                "herald.deliveries.dlq", "herald.pushers.rejected")) {
            assertThat(write(KafkaUsers.PRODUCER, topic)).as(topic).isInstanceOf(TopicAuthorizationException.class);
        }
        assertThat(read(KafkaUsers.PRODUCER, "herald.notifications", "herald-producer-reader"))
                .isInstanceOf(AuthorizationException.class);
    }

    @Test
    void theRulesServiceReadsNotificationsOnlyInItsOwnGroup() {
        assertThat(read(KafkaUsers.RULES, "herald.notifications", "herald-rules")).isNull();
        assertThat(read(KafkaUsers.RULES, "herald.notifications", "someone-elses-group"))
                .isInstanceOf(GroupAuthorizationException.class);
        assertThat(read(KafkaUsers.RULES, "herald.deliveries", "herald-rules")).isInstanceOf(TopicAuthorizationException.class);
        assertThat(write(KafkaUsers.RULES, "herald.deliveries")).isNull();
        assertThat(write(KafkaUsers.RULES, "herald.pushers.rejected")).isInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void ingestReadsNothing() {
        assertThat(read(KafkaUsers.INGEST, "herald.notifications", "herald-ingest")).isInstanceOf(AuthorizationException.class);
    }

    @Test
    void aClientWithoutTheRightPasswordIsRefused() {
        Map<String, Object> wrong = new HashMap<>(KAFKA.clientSettings(KafkaUsers.INGEST));
        wrong.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"herald-ingest\" password=\"guessed\";");
        assertThat(failure(() -> {
            try (Admin admin = Admin.create(KafkaUsers.withTimeouts(wrong))) {
                return admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
            }
        })).isInstanceOf(SaslAuthenticationException.class);

        Map<String, Object> anonymous = Map.of("bootstrap.servers", KAFKA.bootstrapServers());
        assertThat(failure(() -> {
            try (Admin admin = Admin.create(KafkaUsers.withTimeouts(anonymous))) {
                return admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
            }
        })).as("a plaintext client on the SASL listener").isNotNull();
    }

    @Test
    void everyHeraldServiceAndTheProducerHaveAUser() {
        assertThat(KafkaUsers.acls()).containsKeys(KafkaUsers.INGEST, KafkaUsers.RULES, KafkaUsers.DISPATCHER,
                KafkaUsers.PRODUCER);
    }

    /** Writes one record as {@code user}: null when the broker took it, else the (unwrapped) reason. */
    private static Throwable write(String user, String topic) {
        Map<String, Object> settings = new HashMap<>(KAFKA.clientSettings(user));
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return failure(() -> {
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(settings, new StringSerializer(),
                    new StringSerializer())) {
                return producer.send(new ProducerRecord<>(topic, "k", "acl test " + UUID.randomUUID()))
                        .get(30, TimeUnit.SECONDS);
            }
        });
    }

    /** Reads {@code topic} in {@code group} as {@code user}: null when the broker let it, else the reason. */
    private static Throwable read(String user, String topic, String group) {
        Map<String, Object> settings = new HashMap<>(KAFKA.clientSettings(user));
        settings.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return failure(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(settings, new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.subscribe(List.of(topic));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                // Until the group is joined and the partitions assigned: then the broker has said yes to both.
                while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200));
                }
                if (consumer.assignment().isEmpty()) {
                    throw new AssertionError("no partitions of " + topic + " assigned within 30 s");
                }
                // Committing an offset needs Read on the topic and on the group: the broker's yes or no, at once.
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                consumer.assignment().forEach(p -> offsets.put(p, new OffsetAndMetadata(0)));
                consumer.commitSync(offsets, Duration.ofSeconds(10));
                return null;
            }
        });
    }

    /** Null when the action succeeded; else the authorization or authentication error under any wrappers. */
    private static Throwable failure(Callable<?> action) {
        try {
            action.call();
            return null;
        } catch (Throwable t) {
            for (Throwable cause = t; cause != null; cause = cause.getCause()) {
                if (cause instanceof AuthorizationException || cause instanceof SaslAuthenticationException) {
                    return cause;
                }
            }
            return t;
        }
    }
}

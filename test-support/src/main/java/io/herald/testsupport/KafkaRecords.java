package io.herald.testsupport;

import org.awaitility.Awaitility;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;

/** Plain Kafka clients for tests: write records the way an outside producer would, read what a service wrote. */
public final class KafkaRecords {

    private KafkaRecords() {
    }

    /** The broker of the running {@code @QuarkusTest}: embedded, or the one Dev Services started. */
    public static String bootstrapServers() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    public static void send(String bootstrapServers, String topic, String key, byte[] value, Header... headers) {
        send(plain(bootstrapServers), topic, key, value, headers);
    }

    /** Sends with the given client settings (a secured broker's credentials, {@link SecuredEmbeddedKafka}). */
    public static void send(Map<String, Object> client, String topic, String key, byte[] value, Header... headers) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, null, key, value, List.of(headers))).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not produce to " + topic, e);
        }
    }

    public static void send(String bootstrapServers, String topic, String key, String value) {
        send(bootstrapServers, topic, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads {@code topic} from the beginning until {@code count} records match, or fails after {@code timeout}.
     * Returns the matching records, in partition order.
     */
    public static List<ConsumerRecord<String, String>> await(String bootstrapServers, String topic,
            Predicate<ConsumerRecord<String, String>> matching, int count, Duration timeout) {
        return await(plain(bootstrapServers), topic, matching, count, timeout);
    }

    /** {@link #await(String, String, Predicate, int, Duration)} with the given client settings. */
    public static List<ConsumerRecord<String, String>> await(Map<String, Object> client, String topic,
            Predicate<ConsumerRecord<String, String>> matching, int count, Duration timeout) {
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(client)) {
            Awaitility.await().atMost(timeout).until(() -> {
                if (assignAll(consumer, topic).isEmpty()) {
                    return false; // the topic does not exist yet
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (matching.test(r)) {
                        found.add(r);
                    }
                }
                return found.size() >= count;
            });
        }
        return found;
    }

    /** Every record of {@code topic} that matches, read up to the current end of the topic. */
    public static List<ConsumerRecord<String, String>> readAll(String bootstrapServers, String topic,
            Predicate<ConsumerRecord<String, String>> matching) {
        return readAll(plain(bootstrapServers), topic, matching);
    }

    /** {@link #readAll(String, String, Predicate)} with the given client settings. */
    public static List<ConsumerRecord<String, String>> readAll(Map<String, Object> client, String topic,
            Predicate<ConsumerRecord<String, String>> matching) {
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(client)) {
            List<TopicPartition> partitions = assignAll(consumer, topic);
            if (partitions.isEmpty()) {
                return found;
            }
            var end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (matching.test(r)) {
                        found.add(r);
                    }
                }
            }
        }
        return found;
    }

    public static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Map<String, Object> plain(String bootstrapServers) {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }

    private static KafkaConsumer<String, String> consumer(Map<String, Object> client) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    /** Assigns every partition of the topic (again when partitions appeared since the last call). */
    private static List<TopicPartition> assignAll(KafkaConsumer<String, String> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        List<TopicPartition> partitions = infos == null ? List.of()
                : infos.stream().map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
        if (!consumer.assignment().containsAll(partitions)) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }
        return partitions;
    }
}

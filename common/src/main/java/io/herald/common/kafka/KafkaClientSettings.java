package io.herald.common.kafka;

import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;

/**
 * The Kafka client settings of this service, for every client Herald builds by hand ({@link Admin},
 * {@code KafkaProducer}, {@code KafkaConsumer}): exactly what the SmallRye channels get, so a hand-built client
 * connects and authenticates the same way.
 *
 * <p>The source is Quarkus' {@code default-kafka-broker} map, which every channel merges into its own
 * configuration: each {@code kafka.*} property and each {@code KAFKA_*} environment variable, prefix stripped,
 * lower case, {@code _} read as {@code .} ({@code KAFKA_SASL_JAAS_CONFIG} becomes {@code sasl.jaas.config}). So
 * {@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_MECHANISM},
 * {@code KAFKA_SASL_JAAS_CONFIG}, {@code KAFKA_SSL_TRUSTSTORE_*} and {@code KAFKA_SSL_KEYSTORE_*} reach them all.
 *
 * <p>{@code group.id} is left out (Quarkus fills it with the application name): a consumer built from these
 * settings names its own group, so it never joins a channel's group by accident.
 */
@Singleton
public class KafkaClientSettings {

    private final Map<String, Object> settings;

    @Inject
    public KafkaClientSettings(@Identifier("default-kafka-broker") Map<String, Object> defaultKafkaBroker) {
        Map<String, Object> copy = new HashMap<>(defaultKafkaBroker);
        copy.remove("group.id");
        this.settings = Map.copyOf(copy);
    }

    /** A fresh, mutable copy: add the client's own settings (serializers, group, acks) to it. */
    public Map<String, Object> asMap() {
        return new HashMap<>(settings);
    }

    /** The same as {@link #asMap()}, for APIs that take {@link Properties}. */
    public Properties asProperties() {
        Properties properties = new Properties();
        properties.putAll(settings);
        return properties;
    }

    /** A new admin client with these settings; the caller closes it. */
    public Admin createAdmin() {
        return Admin.create(asMap());
    }
}

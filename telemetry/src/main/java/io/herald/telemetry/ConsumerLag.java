package io.herald.telemetry;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * {@code herald_consumer_lag{group,topic}}: the records of {@code topic} this instance's consumers of a channel have
 * not read yet (the sum of the Kafka consumers' own {@code records-lag} per assigned partition). Summed over the
 * instances of a service it is the consumer group's lag, without an exporter that asks the brokers.
 */
public final class ConsumerLag {

    public static final String METRIC = "herald.consumer.lag";

    private ConsumerLag() {
    }

    /** Registers the gauge of one incoming channel. */
    public static void register(MeterRegistry registry, KafkaClientService kafka, String channel, String group,
            String topic) {
        Gauge.builder(METRIC, () -> lag(kafka, channel, topic)).tags("group", group, "topic", topic)
                .description("records of the topic not yet read by this instance's consumers of the group")
                .register(registry);
    }

    static double lag(KafkaClientService kafka, String channel, String topic) {
        String metricTopic = topic.replace('.', '_'); // how some Kafka versions tag topics in metrics
        double lag = 0;
        try {
            for (KafkaConsumer<Object, Object> consumer : kafka.<Object, Object>getConsumers(channel)) {
                for (Map.Entry<MetricName, ? extends Metric> e : consumer.unwrap().metrics().entrySet()) {
                    MetricName name = e.getKey();
                    String tagged = name.tags().get("topic");
                    if (name.name().equals("records-lag") && name.tags().containsKey("partition")
                            && (topic.equals(tagged) || metricTopic.equals(tagged))
                            && e.getValue().metricValue() instanceof Number n && !Double.isNaN(n.doubleValue())) {
                        lag += n.doubleValue();
                    }
                }
            }
        } catch (RuntimeException e) {
            return Double.NaN; // the channel's consumers are not there (yet, or any more)
        }
        return lag;
    }
}

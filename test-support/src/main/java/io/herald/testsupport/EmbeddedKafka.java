package io.herald.testsupport;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Kafka broker in this JVM: one combined KRaft broker/controller, started once and shared by every test
 * in the JVM (about 2 s), stopped when the JVM exits.
 */
public final class EmbeddedKafka {

    private static KafkaClusterTestKit cluster;

    private EmbeddedKafka() {
    }

    public static synchronized String bootstrapServers() {
        if (cluster == null) {
            cluster = start();
            KafkaClusterTestKit started = cluster;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (Exception ignored) {
                    // the JVM is going away
                }
            }, "embedded-kafka-stop"));
        }
        return cluster.bootstrapServers();
    }

    private static KafkaClusterTestKit start() {
        try {
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    // the test kit defaults to an unreleased metadata version
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "4")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                    .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                    .setConfigProp("min.insync.replicas", "1")
                    .setConfigProp("num.partitions", "4")
                    .setConfigProp("auto.create.topics.enable", "true")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return kit;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded Kafka broker", e);
        }
    }
}

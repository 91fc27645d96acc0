package io.herald.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Kafka broker in this JVM: one combined KRaft broker/controller, started once and shared by every test
 * in the JVM (about 2 s), stopped when the JVM exits. Plaintext and open to everyone; {@link SecuredEmbeddedKafka} is
 * the one with authentication and ACLs.
 */
public final class EmbeddedKafka {

    private static KafkaClusterTestKit cluster;
    /** Held so the levels stick (JUL keeps loggers weakly). Quarkus tests set the same through their config. */
    private static final java.util.List<java.util.logging.Logger> QUIET = java.util.stream.Stream
            .of("org.apache.kafka", "kafka", "state.change.logger", "io.zonky")
            .map(java.util.logging.Logger::getLogger).toList();

    private EmbeddedKafka() {
    }

    public static synchronized String bootstrapServers() {
        if (cluster == null) {
            quietLogs();
            Path dir = createTempDirectory();
            cluster = start(dir);
            stopAtExit(cluster, dir);
        }
        return cluster.bootstrapServers();
    }

    static void quietLogs() {
        QUIET.forEach(logger -> logger.setLevel(java.util.logging.Level.WARNING));
    }

    /**
     * One hook closes the broker, then deletes its files: separate hooks would race (the broker halts the JVM when
     * its log directory vanishes under it).
     */
    static void stopAtExit(KafkaClusterTestKit started, Path dir) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                started.close();
            } catch (Exception ignored) {
                // the JVM is going away
            }
            deleteRecursively(dir);
        }, "embedded-kafka-stop"));
    }

    private static Path createTempDirectory() {
        try {
            return Files.createTempDirectory("herald-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** The settings every test broker shares: one node, replication factors of 1, no rebalance delay. */
    static KafkaClusterTestKit.Builder configure(KafkaClusterTestKit.Builder builder) {
        return builder
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
                .setDeleteOnClose(false);
    }

    private static KafkaClusterTestKit start(Path dir) {
        try {
            KafkaClusterTestKit kit = configure(new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setBaseDirectory(dir)
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    // the test kit defaults to an unreleased metadata version
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .build()))
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

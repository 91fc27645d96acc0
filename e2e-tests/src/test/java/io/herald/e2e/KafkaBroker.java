package io.herald.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A real Kafka broker (KRaft, one combined broker/controller) run as a separate process from the
 * {@code kafka_2.13} jars on the test classpath, on fixed loopback ports and one log directory, so it can be
 * stopped and started again as the same broker (which the in-JVM test kit cannot do). The same configuration as
 * {@code deploy/local/run.sh}.
 */
final class KafkaBroker implements AutoCloseable {

    private final int port;
    private final int controllerPort;
    private final Path dir;
    private final Path properties;
    private final Path log;
    private Process process;

    private KafkaBroker(int port, int controllerPort, Path dir) {
        this.port = port;
        this.controllerPort = controllerPort;
        this.dir = dir;
        this.properties = dir.resolve("server.properties");
        this.log = dir.resolve("kafka.log");
    }

    /** Formats a fresh log directory under {@code e2e-tests/target/} and starts the broker. */
    static KafkaBroker start() throws Exception {
        Path dir = Files.createDirectories(ServiceProcess.repoRoot()
                .resolve("e2e-tests/target/fault-kafka-" + UUID.randomUUID().toString().substring(0, 8)));
        KafkaBroker broker = new KafkaBroker(ServiceProcess.freePort(), ServiceProcess.freePort(), dir);
        broker.format();
        broker.startProcess();
        return broker;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    private void format() throws Exception {
        Files.writeString(properties, String.join("\n",
                "node.id=1",
                "process.roles=broker,controller",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=8",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=8",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "") + "\n");
        String clusterId = UUID.randomUUID().toString().replace("-", "").substring(0, 22);
        Process format = new ProcessBuilder(java("kafka.tools.StorageTool", "format", "-t", clusterId, "-c",
                properties.toString())).redirectErrorStream(true).redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("kafka-storage format failed: " + Files.readString(dir.resolve("format.log")));
        }
    }

    private List<String> java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + System.getProperty("herald.fault.broker-xmx", "512m"), "-XX:+UseSerialGC",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-cp", classpath(), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /** The test classpath (surefire's, not its manifest-only booter jar), which holds the broker's jars. */
    private static String classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    private synchronized void startProcess() throws Exception {
        process = new ProcessBuilder(java("kafka.Kafka", properties.toString())).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Process started = process;
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!started.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited: " + tail());
            }
            return answers();
        });
    }

    private boolean answers() {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers(), "request.timeout.ms", "3000",
                "default.api.timeout.ms", "3000"))) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (Exception notYet) {
            return false;
        }
    }

    /**
     * Stops the broker (SIGTERM, a controlled shutdown; SIGKILL if that takes more than 15 s) and returns once it is
     * gone; its data stays for {@link #restart()}.
     */
    synchronized void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the same broker again: same ports, same log directory. */
    synchronized void restart() throws Exception {
        startProcess();
    }

    void createTopics(Map<String, Integer> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            admin.createTopics(topics.entrySet().stream()
                    .map(t -> new NewTopic(t.getKey(), t.getValue(), (short) 1)).toList()).all().get(60, TimeUnit.SECONDS);
        }
    }

    private String tail() throws IOException {
        String s = Files.readString(log);
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}

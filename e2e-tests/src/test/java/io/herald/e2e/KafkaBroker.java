package io.herald.e2e;

import static org.awaitility.Awaitility.await;

import io.herald.testsupport.KafkaUsers;
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
 * {@code deploy/local/run.sh}, locked down as in production on the listener the services use: SASL/SCRAM-SHA-512,
 * Kafka's StandardAuthorizer and the users and ACLs of {@code deploy/kubernetes/base/kafka-users.yaml}
 * ({@link #serviceConfig(String)}).
 *
 * <p>The test harness itself (its producers, readers and admin clients) uses a second, plaintext listener on loopback
 * ({@link #bootstrapServers()}) whose anonymous principal is the super user: the suite observes and injects as it
 * always did, while every service is held to its ACLs.
 */
final class KafkaBroker implements AutoCloseable {

    private final int port;
    private final int servicePort;
    private final int controllerPort;
    private final Path dir;
    private final Path properties;
    private final Path log;
    private Process process;

    private KafkaBroker(int port, int servicePort, int controllerPort, Path dir) {
        this.port = port;
        this.servicePort = servicePort;
        this.controllerPort = controllerPort;
        this.dir = dir;
        this.properties = dir.resolve("server.properties");
        this.log = dir.resolve("kafka.log");
    }

    /** Formats a fresh log directory under {@code e2e-tests/target/} and starts the broker. */
    static KafkaBroker start() throws Exception {
        Path dir = Files.createDirectories(ServiceProcess.repoRoot()
                .resolve("e2e-tests/target/fault-kafka-" + UUID.randomUUID().toString().substring(0, 8)));
        KafkaBroker broker = new KafkaBroker(ServiceProcess.freePort(), ServiceProcess.freePort(), ServiceProcess.freePort(),
                dir);
        broker.format();
        broker.startProcess();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            KafkaUsers.provision(admin, broker.serviceBootstrapServers());
        }
        return broker;
    }

    /** The harness listener: plaintext, loopback, super user. For the tests' own clients only. */
    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The listener the services use, where every client authenticates and is held to its ACLs. */
    String serviceBootstrapServers() {
        return "127.0.0.1:" + servicePort;
    }

    /** The {@code kafka.*} configuration of a service that connects as the KafkaUser {@code user}. */
    Map<String, String> serviceConfig(String user) {
        return KafkaUsers.quarkusConfig(serviceBootstrapServers(), user);
    }

    private void format() throws Exception {
        Files.writeString(properties, String.join("\n",
                "node.id=1",
                "process.roles=broker,controller",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=HARNESS://127.0.0.1:" + port + ",SERVICES://127.0.0.1:" + servicePort
                        + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=HARNESS://127.0.0.1:" + port + ",SERVICES://127.0.0.1:" + servicePort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=HARNESS",
                "listener.security.protocol.map=HARNESS:PLAINTEXT,SERVICES:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                "sasl.enabled.mechanisms=SCRAM-SHA-512",
                "listener.name.services.scram-sha-512.sasl.jaas.config="
                        + "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "allow.everyone.if.no.acl.found=false",
                // Plaintext connections (the harness listener, the broker's own controller connection) are anonymous.
                "super.users=User:ANONYMOUS",
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

package io.herald.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Kafka broker in this JVM that is locked down as in production: every client authenticates (SASL/SCRAM-SHA-512)
 * and every request is authorized by Kafka's {@code StandardAuthorizer} against the ACLs of
 * {@code deploy/kubernetes/base/kafka-users.yaml} ({@link KafkaUsers}); nothing else is allowed. Herald's topics are
 * created up front and nothing is created automatically, as with Strimzi. Started once per JVM on first use (besides
 * the plain {@link EmbeddedKafka}, which most tests share), stopped when the JVM exits.
 *
 * <p>One super user, {@value #ADMIN}, authenticates with SASL/PLAIN (its password is in the broker's configuration, so
 * it exists before any SCRAM credential): the broker's own controller and inter-broker connections, and the tests'
 * {@link #adminSettings()} for setting up and reading back.
 */
public final class SecuredEmbeddedKafka {

    public static final String ADMIN = "admin";
    /** Kafka's ACL authorizer for KRaft, as Strimzi's {@code authorization: simple} configures it. */
    static final String STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
    /**
     * Herald's topics, created when the broker starts (partition counts as small as the tests need). Not
     * {@code herald.changes}: the services create it at start (their change feed), as their Kafka users may.
     */
    public static final List<String> TOPICS = List.of("herald.notifications", "herald.events", "herald.notifications.dlq",
            "herald.deliveries", "herald.deliveries.dlq", "herald.pushers.rejected");

    private static SecuredEmbeddedKafka instance;

    private final KafkaClusterTestKit cluster;
    private final String adminPassword;

    private SecuredEmbeddedKafka(KafkaClusterTestKit cluster, String adminPassword) {
        this.cluster = cluster;
        this.adminPassword = adminPassword;
    }

    public static synchronized SecuredEmbeddedKafka get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Client settings of a Herald KafkaUser ({@link KafkaUsers#INGEST}, …). */
    public Map<String, Object> clientSettings(String user) {
        return KafkaUsers.scramClient(bootstrapServers(), user);
    }

    /** A Quarkus service's {@code kafka.*} configuration as that user. */
    public Map<String, String> quarkusConfig(String user) {
        return KafkaUsers.quarkusConfig(bootstrapServers(), user);
    }

    /** The super user's settings: for the tests' own set-up and reading back, never for a service. */
    public Map<String, Object> adminSettings() {
        return Map.of("bootstrap.servers", bootstrapServers(),
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", plainLogin(adminPassword, false));
    }

    /** PLAIN login as the admin; with {@code server}, also the one user the broker accepts on PLAIN. */
    private static String plainLogin(String password, boolean server) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN
                + "\" password=\"" + password + "\"" + (server ? " user_" + ADMIN + "=\"" + password + "\"" : "") + ";";
    }

    private static SecuredEmbeddedKafka start() {
        EmbeddedKafka.quietLogs();
        String adminPassword = "admin-" + UUID.randomUUID();
        try {
            Path dir = Files.createTempDirectory("herald-kafka-secured-");
            // The test kit names the broker listener EXTERNAL and the controller listener CONTROLLER.
            KafkaClusterTestKit kit = EmbeddedKafka.configure(new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setBaseDirectory(dir)
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                    .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                    .build()))
                    // Clients: SCRAM-SHA-512; the admin alone may use PLAIN (also for inter-broker and controller
                    // traffic). The global list names SCRAM only, so the test kit writes no JAAS file of its own.
                    .setConfigProp("sasl.enabled.mechanisms", "SCRAM-SHA-512")
                    .setConfigProp("listener.name.external.sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN")
                    .setConfigProp("listener.name.external.scram-sha-512.sasl.jaas.config",
                            "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                    .setConfigProp("listener.name.external.plain.sasl.jaas.config", plainLogin(adminPassword, true))
                    .setConfigProp("listener.name.controller.sasl.enabled.mechanisms", "PLAIN")
                    .setConfigProp("listener.name.controller.plain.sasl.jaas.config", plainLogin(adminPassword, true))
                    .setConfigProp("sasl.mechanism.inter.broker.protocol", "PLAIN")
                    .setConfigProp("sasl.mechanism.controller.protocol", "PLAIN")
                    .setConfigProp("authorizer.class.name", STANDARD_AUTHORIZER)
                    .setConfigProp("super.users", "User:" + ADMIN)
                    .setConfigProp("allow.everyone.if.no.acl.found", "false")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            EmbeddedKafka.stopAtExit(kit, dir);
            SecuredEmbeddedKafka kafka = new SecuredEmbeddedKafka(kit, adminPassword);
            try (Admin admin = Admin.create(kafka.adminSettings())) {
                admin.createTopics(TOPICS.stream().map(t -> new NewTopic(t, 4, (short) 1)).toList())
                        .all().get(60, TimeUnit.SECONDS);
                KafkaUsers.provision(admin, kafka.bootstrapServers());
            }
            return kafka;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the secured embedded Kafka broker", e);
        }
    }
}

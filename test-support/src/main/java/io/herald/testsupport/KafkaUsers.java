package io.herald.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.awaitility.Awaitility;

/**
 * Herald's Kafka users and what each may do, read from the Strimzi {@code KafkaUser}s of
 * {@code deploy/kubernetes/base/kafka-users.yaml}: the tests' brokers enforce exactly the ACLs production gets.
 * Passwords are made up once per JVM.
 */
public final class KafkaUsers {

    public static final String INGEST = "herald-ingest";
    public static final String RULES = "herald-rules";
    public static final String DISPATCHER = "herald-dispatcher";
    /** Producers of the Kafka-native contract (docs/kafka-contract.md). */
    public static final String PRODUCER = "herald-producer";

    static final String MANIFEST = "deploy/kubernetes/base/kafka-users.yaml";
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static Map<String, List<AclBinding>> acls;

    private KafkaUsers() {
    }

    /** Each KafkaUser's ACLs, as Kafka bindings for the principal {@code User:<name>}. */
    public static synchronized Map<String, List<AclBinding>> acls() {
        if (acls == null) {
            acls = parse(RepositoryFiles.resolve(MANIFEST).toFile());
        }
        return acls;
    }

    /** The user's SCRAM password in this JVM. */
    public static String password(String user) {
        return "test-" + user + "-" + RUN;
    }

    /** Client settings that authenticate as {@code user} with SCRAM-SHA-512 over plaintext. */
    public static Map<String, Object> scramClient(String bootstrapServers, String user) {
        return Map.of("bootstrap.servers", bootstrapServers,
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password(user) + "\";");
    }

    /** The same settings as Quarkus configuration ({@code kafka.*}) for a service that runs as {@code user}. */
    public static Map<String, String> quarkusConfig(String bootstrapServers, String user) {
        Map<String, String> config = new LinkedHashMap<>();
        scramClient(bootstrapServers, user).forEach((k, v) -> config.put("kafka." + k, String.valueOf(v)));
        return config;
    }

    /**
     * Creates every user's SCRAM-SHA-512 credential and ACLs with {@code admin} (a super user), and returns once the
     * broker authenticates them and enforces the ACLs.
     */
    public static void provision(Admin admin, String bootstrapServers) throws Exception {
        List<UserScramCredentialUpsertion> credentials = acls().keySet().stream()
                .map(user -> new UserScramCredentialUpsertion(user,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password(user)))
                .toList();
        admin.alterUserScramCredentials(List.copyOf(credentials)).all().get(60, TimeUnit.SECONDS);
        List<AclBinding> bindings = acls().values().stream().flatMap(List::stream).toList();
        admin.createAcls(bindings).all().get(60, TimeUnit.SECONDS);
        Awaitility.await("the ACLs applied").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> admin.describeAcls(AclBindingFilter.ANY).values().get(10, TimeUnit.SECONDS)
                        .containsAll(bindings));
        for (String user : acls().keySet()) {
            Awaitility.await(user + " authenticates").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions().until(() -> {
                        try (Admin client = Admin.create(withTimeouts(scramClient(bootstrapServers, user)))) {
                            return !client.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
                        }
                    });
        }
    }

    static Map<String, Object> withTimeouts(Map<String, Object> settings) {
        Map<String, Object> m = new LinkedHashMap<>(settings);
        m.put("request.timeout.ms", "5000");
        m.put("default.api.timeout.ms", "5000");
        return m;
    }

    private static Map<String, List<AclBinding>> parse(java.io.File manifest) {
        Map<String, List<AclBinding>> byUser = new LinkedHashMap<>();
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (var parser = yaml.getFactory().createParser(manifest)) {
            for (var it = yaml.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode doc = it.next();
                if (doc == null || !"KafkaUser".equals(doc.path("kind").asText())) {
                    continue;
                }
                String user = doc.path("metadata").path("name").asText();
                List<AclBinding> bindings = new ArrayList<>();
                for (JsonNode acl : doc.path("spec").path("authorization").path("acls")) {
                    JsonNode resource = acl.path("resource");
                    ResourcePattern pattern = new ResourcePattern(
                            ResourceType.fromString(resource.path("type").asText()),
                            resource.path("type").asText().equals("cluster") ? "kafka-cluster" : resource.path("name").asText(),
                            "prefix".equals(resource.path("patternType").asText("literal")) ? PatternType.PREFIXED
                                    : PatternType.LITERAL);
                    for (JsonNode operation : acl.path("operations")) {
                        bindings.add(new AclBinding(pattern, new AccessControlEntry("User:" + user,
                                acl.path("host").asText("*"), operation(operation.asText()), AclPermissionType.ALLOW)));
                    }
                }
                byUser.put(user, List.copyOf(bindings));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + manifest, e);
        }
        if (byUser.isEmpty()) {
            throw new IllegalStateException("no KafkaUser in " + manifest);
        }
        return Map.copyOf(byUser);
    }

    /** Strimzi's operation names (Read, IdempotentWrite, …) to Kafka's. */
    private static AclOperation operation(String strimzi) {
        AclOperation op = AclOperation.fromString(strimzi.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
        if (op == AclOperation.UNKNOWN) {
            throw new IllegalArgumentException("unknown ACL operation " + strimzi + " in " + MANIFEST);
        }
        return op;
    }
}

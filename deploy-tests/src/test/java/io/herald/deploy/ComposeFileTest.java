package io.herald.deploy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml, parsed with SnakeYAML (which resolves the anchors and merge keys): images pinned, health
 * checks and start order, the environment the services need, the topics, the matrix profile.
 */
class ComposeFileTest {

    static Map<String, Map<String, Object>> services;
    static Map<String, Object> compose;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() {
        compose = (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Repo.read(Repo.COMPOSE));
        services = (Map<String, Map<String, Object>>) compose.get("services");
    }

    static Map<String, Object> service(String name) {
        assertThat(services).containsKey(name);
        return services.get(name);
    }

    /** The value compose would use when the variable is unset: ${X:-default} → default; ${X:?msg} → null. */
    static String resolved(Object value) {
        String s = String.valueOf(value);
        Matcher m = Pattern.compile("\\$\\{[A-Z0-9_]+:-([^}]*)}").matcher(s);
        return m.replaceAll("$1");
    }

    static boolean oneShot(Map<String, Object> service) {
        return "no".equals(String.valueOf(service.get("restart")));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> env(String service) {
        Object env = service(service).get("environment");
        assertThat(env).as(service + " environment as a map").isInstanceOf(Map.class);
        return (Map<String, Object>) env;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> dependsOn(String service) {
        Object deps = service(service).get("depends_on");
        if (deps == null) {
            return Map.of();
        }
        assertThat(deps).as(service + ": depends_on with conditions (a map), not a list").isInstanceOf(Map.class);
        return (Map<String, Map<String, Object>>) deps;
    }

    @Test
    void everyImageCarriesAPinnedTag() {
        assertThat(services).containsKeys("kafka", "kafka-topics", "postgres", "ingest", "rules", "dispatcher",
                "synapse");
        services.forEach((name, s) -> {
            assertThat(s).as(name + " has an image (no builds here)").containsKey("image").doesNotContainKey("build");
            String image = resolved(s.get("image"));
            assertThat(Checks.hasTagOrDigest(image)).as(name + ": " + image + " names a tag").isTrue();
            assertThat(image).as(name).doesNotEndWith(":latest").doesNotContain("${");
        });
        assertThat(service("kafka").get("image")).isEqualTo("apache/kafka:4.1.1");
        assertThat(String.valueOf(service("synapse").get("image"))).startsWith("matrixdotorg/synapse:");
    }

    @Test
    void heraldServicesRunTheJibImages() {
        String tag = Repo.imageTag();
        for (String s : Repo.SERVICES) {
            assertThat(service(s).get("image")).isEqualTo("herald/" + s + "-service:" + tag);
            assertThat(service(s)).doesNotContainKeys("volumes", "command", "entrypoint");
        }
    }

    @Test
    void longRunningServicesHaveHealthchecksAndOneShotsDoNot() {
        services.forEach((name, s) -> {
            if (oneShot(s)) {
                assertThat(s).as(name + " is one-shot").doesNotContainKey("healthcheck");
            } else {
                assertThat(s).as(name + " healthcheck").containsKey("healthcheck");
                @SuppressWarnings("unchecked")
                Map<String, Object> hc = (Map<String, Object>) s.get("healthcheck");
                assertThat(hc.get("test")).as(name + " healthcheck test").isNotNull();
            }
        });
        // The Herald services ask their own readiness endpoint, on their own port.
        Map<String, Integer> ports = Map.of("ingest", 8081, "rules", 8082, "dispatcher", 8083);
        ports.forEach((s, port) -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> hc = (Map<String, Object>) service(s).get("healthcheck");
            String test = String.join(" ", ((List<?>) hc.get("test")).stream().map(String::valueOf).toList());
            assertThat(test).contains("/dev/tcp/127.0.0.1/" + port).contains("/q/health/ready");
            assertThat(((List<?>) service(s).get("ports")).get(0)).isEqualTo(port + ":" + port);
        });
    }

    @Test
    void startOrderUsesConditions() {
        List<String> errors = new ArrayList<>();
        services.forEach((name, s) -> dependsOn(name).forEach((dep, spec) -> {
            Object condition = spec == null ? null : spec.get("condition");
            Map<String, Object> target = services.get(dep);
            if (target == null) {
                errors.add(name + " depends on unknown " + dep);
            } else if ("service_healthy".equals(condition) && !target.containsKey("healthcheck")) {
                errors.add(name + " waits for " + dep + " to be healthy, which has no healthcheck");
            } else if ("service_completed_successfully".equals(condition) && !oneShot(target)) {
                errors.add(name + " waits for " + dep + " to complete, which is not one-shot");
            } else if (!Set.of("service_healthy", "service_completed_successfully").contains(condition)) {
                errors.add(name + " -> " + dep + ": condition " + condition);
            }
            // Nothing outside the matrix profile may need a service of that profile.
            if (target != null && target.containsKey("profiles") && !s.containsKey("profiles")) {
                errors.add(name + " (no profile) depends on " + dep + " (profile " + target.get("profiles") + ")");
            }
        }));
        assertThat(errors).isEmpty();
        for (String s : Repo.SERVICES) {
            assertThat(dependsOn(s)).as(s).containsOnlyKeys("kafka", "kafka-topics", "postgres");
            assertThat(dependsOn(s).get("kafka-topics")).containsEntry("condition", "service_completed_successfully");
            assertThat(dependsOn(s).get("kafka")).containsEntry("condition", "service_healthy");
            assertThat(dependsOn(s).get("postgres")).containsEntry("condition", "service_healthy");
        }
    }

    @Test
    void servicesGetTheConfigurationTheyNeed() {
        for (String s : Repo.SERVICES) {
            assertThat(env(s)).as(s).containsKeys("KAFKA_BOOTSTRAP_SERVERS", "QUARKUS_DATASOURCE_JDBC_URL",
                    "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD", "QUARKUS_SHUTDOWN_TIMEOUT");
            assertThat(env(s).get("KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka:9092");
            String jdbc = String.valueOf(env(s).get("QUARKUS_DATASOURCE_JDBC_URL"));
            assertThat(jdbc).isEqualTo("jdbc:postgresql://postgres:5432/"
                    + ((Map<?, ?>) service("postgres").get("environment")).get("POSTGRES_DB"));
        }
        // Required secrets: compose refuses to start without them (${VAR:?message}), never a default.
        assertThat(String.valueOf(env("dispatcher").get("HERALD_SECRETS_KEY"))).startsWith("${HERALD_SECRETS_KEY:?");
        for (String s : Repo.SERVICES) {
            // the admin's service token by its hash only: the token itself is for people and matrix-setup
            assertThat(String.valueOf(env(s).get("HERALD_AUTH_TOKENS_ADMIN_SHA256")))
                    .startsWith("${HERALD_ADMIN_TOKEN_SHA256:?");
            assertThat(env(s).get("HERALD_AUTH_TOKENS_ADMIN_ROLES")).isEqualTo("admin");
            assertThat(env(s)).doesNotContainKeys("HERALD_ADMIN_TOKEN", "HERALD_INGEST_ADMIN_TOKEN");
        }
        assertThat(env("dispatcher")).containsKey("HERALD_DEV_SINK_ENABLED");
        assertThat(env("rules")).doesNotContainKeys("HERALD_SECRETS_KEY");
    }

    @Test
    void topicServiceCreatesEveryHeraldTopicAsOnKubernetes() {
        Map<String, Object> topics = service("kafka-topics");
        String script = String.join("\n", ((List<?>) topics.get("command")).stream().map(String::valueOf).toList());
        Map<String, Integer> created = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\s*create\\s+(\\S+)\\s+(\\d+)\\s*$").matcher(script);
        while (m.find()) {
            created.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        assertThat(created.keySet()).containsExactlyInAnyOrderElementsOf(Repo.heraldTopics().keySet());
        assertThat(script).contains("--if-not-exists");
        // Same partition counts as the KafkaTopics of deploy/kubernetes.
        List<Repo.Doc> topicDocs = Repo.loadAll(Repo.KUBERNETES.resolve("base/kafka-topics.yaml"));
        assertThat(created).isEqualTo(Checks.partitions(topicDocs));
        // The broker creates nothing by itself, so these counts are the ones in effect.
        assertThat(String.valueOf(((Map<?, ?>) service("kafka").get("environment"))
                .get("KAFKA_AUTO_CREATE_TOPICS_ENABLE"))).isEqualTo("false");
    }

    @Test
    void kafkaRunsInKraftMode() {
        @SuppressWarnings("unchecked")
        Map<String, Object> env = (Map<String, Object>) service("kafka").get("environment");
        assertThat(String.valueOf(env.get("KAFKA_PROCESS_ROLES"))).isEqualTo("broker,controller");
        assertThat(env).containsKeys("KAFKA_CONTROLLER_QUORUM_VOTERS", "KAFKA_CONTROLLER_LISTENER_NAMES", "CLUSTER_ID");
        assertThat(String.valueOf(env.get("CLUSTER_ID"))).matches("[A-Za-z0-9_-]{22}");
    }

    @Test
    void matrixProfileAddsASynapseDemo() {
        List<String> matrix = new ArrayList<>();
        services.forEach((name, s) -> {
            if (s.containsKey("profiles")) {
                assertThat(((List<?>) s.get("profiles")).stream().map(String::valueOf).toList()).as(name)
                        .containsExactly("matrix");
                matrix.add(name);
            }
        });
        assertThat(matrix).containsExactlyInAnyOrder("synapse-config", "synapse", "matrix-setup");
        assertThat(dependsOn("synapse").get("synapse-config")).containsEntry("condition",
                "service_completed_successfully");
        assertThat(dependsOn("matrix-setup")).containsKeys("synapse", "ingest", "rules", "dispatcher");
        // Files mounted from the repository exist.
        services.forEach((name, s) -> {
            for (Object volume : (List<?>) s.getOrDefault("volumes", List.of())) {
                String source = String.valueOf(volume).split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(Files.isRegularFile(Repo.ROOT.resolve(source))).as(name + " mounts " + source).isTrue();
                }
            }
        });
        assertThat(String.valueOf(env("matrix-setup").get("HERALD_ADMIN_TOKEN"))).startsWith("${HERALD_ADMIN_TOKEN:?");
    }

    @Test
    void namedVolumesAreDeclared() {
        @SuppressWarnings("unchecked")
        Map<String, Object> volumes = (Map<String, Object>) compose.get("volumes");
        services.forEach((name, s) -> {
            for (Object volume : (List<?>) s.getOrDefault("volumes", List.of())) {
                String source = String.valueOf(volume).split(":")[0];
                if (!source.startsWith("./") && !source.startsWith("/")) {
                    assertThat(volumes).as(name + " volume " + source).containsKey(source);
                }
            }
        });
    }
}

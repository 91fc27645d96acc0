package io.herald.deploy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
        assertThat(services).containsKeys("kafka", "kafka-init", "postgres", "postgres-init", "ingest", "rules",
                "dispatcher", "synapse");
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
        // The Herald services ask their own readiness endpoint, on their management port (which is not published);
        // the API port is published on loopback.
        Map<String, Integer> ports = Map.of("ingest", 8081, "rules", 8082, "dispatcher", 8083);
        ports.forEach((s, port) -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> hc = (Map<String, Object>) service(s).get("healthcheck");
            String test = String.join(" ", ((List<?>) hc.get("test")).stream().map(String::valueOf).toList());
            assertThat(test).contains("/dev/tcp/127.0.0.1/" + (port + 1000)).contains("/q/health/ready");
            assertThat(((List<?>) service(s).get("ports")).stream().map(ComposeFileTest::resolved).toList())
                    .containsExactly("127.0.0.1:" + port + ":" + port);
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
            assertThat(dependsOn(s)).as(s).containsOnlyKeys("kafka", "kafka-init", "postgres", "postgres-init");
            assertThat(dependsOn(s).get("kafka-init")).containsEntry("condition", "service_completed_successfully");
            assertThat(dependsOn(s).get("postgres-init")).containsEntry("condition", "service_completed_successfully");
            assertThat(dependsOn(s).get("kafka")).containsEntry("condition", "service_healthy");
            assertThat(dependsOn(s).get("postgres")).containsEntry("condition", "service_healthy");
        }
    }

    @Test
    void servicesGetTheConfigurationTheyNeed() {
        for (String s : Repo.SERVICES) {
            assertThat(env(s)).as(s).containsKeys("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_SECURITY_PROTOCOL",
                    "KAFKA_SASL_MECHANISM", "KAFKA_SASL_JAAS_CONFIG", "QUARKUS_DATASOURCE_JDBC_URL",
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
        assertThat(String.valueOf(service("kafka-init").get("command"))).contains("/herald/kafka-init.sh");
        String script = Repo.read(KAFKA_INIT);
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

    static final Path KAFKA_INIT = Repo.ROOT.resolve("deploy/compose/kafka-init.sh");

    /** The environment variables docker-compose.yml cannot start without (${NAME:?…}). */
    static Set<String> requiredVariables() {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+):\\?").matcher(Repo.read(Repo.COMPOSE));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void everyPortIsPublishedOnLoopbackOnly() {
        services.forEach((name, s) -> {
            for (Object port : (List<?>) s.getOrDefault("ports", List.of())) {
                assertThat(resolved(port)).as(name + " publishes " + port).startsWith("127.0.0.1:");
            }
        });
        // Nothing publishes the management ports (health, metrics) or PostgreSQL; Kafka only its SCRAM listener.
        assertThat(String.valueOf(compose.get("services"))).doesNotContain(":9081", ":9082", ":9083");
        assertThat(service("postgres")).doesNotContainKey("ports");
        assertThat(service("kafka").get("ports")).isEqualTo(List.of("127.0.0.1:29092:29092"));
    }

    @Test
    void theDevSinkIsOffUnlessAskedFor() {
        assertThat(resolved(env("dispatcher").get("HERALD_DEV_SINK_ENABLED"))).isEqualTo("false");
        for (String s : List.of("ingest", "rules")) {
            assertThat(env(s)).doesNotContainKey("HERALD_DEV_SINK_ENABLED");
        }
    }

    @Test
    void kafkaAuthenticatesEveryClientAndAuthorizesWithAcls() {
        Map<String, Object> env = env("kafka");
        String protocols = String.valueOf(env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"));
        for (String listener : protocols.split(",")) {
            assertThat(listener.split(":")[1]).as("listener " + listener).isIn("SASL_PLAINTEXT", "SASL_SSL", "SSL");
        }
        assertThat(String.valueOf(env.get("KAFKA_AUTHORIZER_CLASS_NAME")))
                .isEqualTo("org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        assertThat(String.valueOf(env.get("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"))).isEqualTo("false");
        assertThat(String.valueOf(env.get("KAFKA_SUPER_USERS"))).isEqualTo("User:admin");
        // The clients' listeners take SCRAM only (PLAIN, the admin's, only on the unpublished internal listeners).
        assertThat(String.valueOf(env.get("KAFKA_SASL_ENABLED_MECHANISMS"))).isEqualTo("SCRAM-SHA-512");
        assertThat(String.valueOf(service("kafka").get("command"))).contains("/herald/kafka-start.sh");
    }

    @Test
    void eachServiceLogsInAsItselfToKafkaAndPostgres() {
        Set<String> passwords = new HashSet<>();
        for (String s : Repo.SERVICES) {
            assertThat(String.valueOf(env(s).get("KAFKA_SECURITY_PROTOCOL"))).isEqualTo("SASL_PLAINTEXT");
            assertThat(String.valueOf(env(s).get("KAFKA_SASL_MECHANISM"))).isEqualTo("SCRAM-SHA-512");
            String jaas = String.valueOf(env(s).get("KAFKA_SASL_JAAS_CONFIG"));
            assertThat(jaas).startsWith("org.apache.kafka.common.security.scram.ScramLoginModule required")
                    .contains("username=\"herald-" + s + "\"")
                    .contains("password=\"${HERALD_KAFKA_" + s.toUpperCase(java.util.Locale.ROOT) + "_PASSWORD:?");
            assertThat(String.valueOf(env(s).get("QUARKUS_DATASOURCE_USERNAME"))).isEqualTo("herald_" + s);
            assertThat(String.valueOf(env(s).get("QUARKUS_DATASOURCE_PASSWORD")))
                    .startsWith("${HERALD_DB_" + s.toUpperCase(java.util.Locale.ROOT) + "_PASSWORD:?");
            passwords.add(String.valueOf(env(s).get("QUARKUS_DATASOURCE_PASSWORD")));
        }
        assertThat(passwords).hasSize(3);
        assertThat(String.valueOf(env("postgres-init").get("PGOPTIONS")))
                .contains("herald.ingest_password=${HERALD_DB_INGEST_PASSWORD:?")
                .contains("herald.rules_password=${HERALD_DB_RULES_PASSWORD:?")
                .contains("herald.dispatcher_password=${HERALD_DB_DISPATCHER_PASSWORD:?");
        assertThat(String.valueOf(service("postgres-init").get("command"))).contains("/herald/roles.sql");
    }

    @Test
    void kafkaInitGrantsWhatTheKubernetesKafkaUsersGrant() {
        // allow <user> <topic|group> <name> <literal|prefixed> <operation>...
        Set<String> compose = new TreeSet<>();
        Set<String> users = new TreeSet<>();
        for (String line : Repo.read(KAFKA_INIT).lines().toList()) {
            String[] w = line.trim().split("\\s+");
            if (w[0].equals("allow") && w.length >= 6) {
                for (int i = 5; i < w.length; i++) {
                    compose.add(w[1] + " " + w[2] + " " + w[3] + " " + (w[4].equals("prefixed") ? "prefix" : w[4]) + " " + w[i]);
                }
            } else if (w[0].equals("user") && w.length == 3) {
                users.add(w[1]);
            }
        }
        Set<String> kubernetes = new TreeSet<>();
        Set<String> kubernetesUsers = new TreeSet<>();
        for (Repo.Doc user : Repo.loadAll(Repo.KUBERNETES.resolve("base/kafka-users.yaml"))) {
            if (user.name().equals("herald-keda")) {
                continue; // KEDA runs on Kubernetes only
            }
            kubernetesUsers.add(user.name());
            for (var acl : user.node().path("spec").path("authorization").path("acls")) {
                var r = acl.path("resource");
                for (var op : acl.path("operations")) {
                    kubernetes.add(user.name() + " " + r.path("type").asText() + " " + r.path("name").asText() + " "
                            + r.path("patternType").asText("literal") + " " + op.asText());
                }
            }
        }
        assertThat(compose).isEqualTo(kubernetes);
        assertThat(users).isEqualTo(kubernetesUsers);
    }

    @Test
    void envScriptGeneratesEverySecretComposeRequiresAndKeepsThem() throws Exception {
        Path dir = Files.createTempDirectory("herald-env");
        Path env = dir.resolve(".env");
        Files.writeString(env, "HERALD_INGEST_ADMIN_TOKEN=mine\n");
        for (int run = 0; run < 2; run++) {
            Process p = new ProcessBuilder("bash", Repo.ROOT.resolve("deploy/compose/env.sh").toString(), env.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(env)) {
            String[] kv = line.split("=", 2);
            assertThat(values.put(kv[0], kv[1])).as(kv[0] + " written once").isNull();
        }
        assertThat(values.keySet()).containsAll(requiredVariables());
        assertThat(values).containsEntry("HERALD_INGEST_ADMIN_TOKEN", "mine");
        assertThat(values.get("HERALD_SECRETS_KEY")).matches("[A-Za-z0-9+/]{43}=");
        assertThat(values.get("HERALD_KAFKA_INGEST_PASSWORD")).matches("[0-9a-f]{48}");
        assertThat(Files.getPosixFilePermissions(env))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void matrixProfileAddsASynapseDemo() {
        assertThat(inProfile("matrix")).containsExactlyInAnyOrder("synapse-config", "synapse", "matrix-setup");
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
    void observabilityProfileAddsPrometheusAndGrafanaWithHeraldsRulesAndDashboard() {
        assertThat(inProfile("observability")).containsExactlyInAnyOrder("prometheus", "grafana");
        List<String> prometheus = volumes("prometheus");
        assertThat(prometheus).contains("./deploy/compose/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
                "./deploy/helm/herald/files/alerts.yaml:/etc/prometheus/herald-alerts.yaml:ro");
        assertThat(volumes("grafana")).contains(
                "./deploy/helm/herald/files/herald-dashboard.json:/var/lib/grafana/dashboards/herald.json:ro");
        // Prometheus scrapes each service's management port on the Compose network, where its rules are loaded.
        String config = Repo.read(Repo.ROOT.resolve("deploy/compose/prometheus.yml"));
        assertThat(config).contains("/etc/prometheus/herald-alerts.yaml", "ingest:9081", "rules:9082", "dispatcher:9083",
                "metrics_path: /q/metrics");
        assertThat(String.valueOf(env("grafana").get("GF_SECURITY_ADMIN_PASSWORD"))).startsWith("${GRAFANA_ADMIN_PASSWORD:?");
        // Nothing outside the profile depends on it.
        services.forEach((name, s) -> {
            if (!s.containsKey("profiles")) {
                assertThat(dependsOn(name).keySet()).as(name).doesNotContain("prometheus", "grafana");
            }
        });
    }

    /** The services of a profile; a service is in one profile at most. */
    private static List<String> inProfile(String profile) {
        List<String> names = new ArrayList<>();
        services.forEach((name, s) -> {
            if (s.containsKey("profiles")) {
                List<String> profiles = ((List<?>) s.get("profiles")).stream().map(String::valueOf).toList();
                assertThat(profiles).as(name).hasSize(1).containsAnyOf("matrix", "observability");
                if (profiles.contains(profile)) {
                    names.add(name);
                }
            }
        });
        return names;
    }

    private static List<String> volumes(String service) {
        return ((List<?>) service(service).getOrDefault("volumes", List.of())).stream().map(String::valueOf).toList();
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

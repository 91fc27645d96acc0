package io.herald.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.deploy.Repo.Doc;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/kubernetes as written, without kubectl: every YAML document parses, kustomizations point at existing files,
 * and the base resources keep Herald's invariants (probes, resources, topics, autoscaling, secrets by name only).
 */
class KubernetesManifestsTest {

    static final Path BASE = Repo.KUBERNETES.resolve("base");
    static final Path PRODUCTION = Repo.KUBERNETES.resolve("overlays/production");
    static final Path DEV = Repo.KUBERNETES.resolve("overlays/dev");

    static Map<Path, List<Doc>> byFile;
    static List<Doc> baseResources;

    @BeforeAll
    static void load() {
        byFile = new LinkedHashMap<>();
        for (Path file : Repo.kubernetesFiles()) {
            byFile.put(file, Repo.loadAll(file));
        }
        baseResources = new ArrayList<>();
        for (JsonNode resource : kustomization(BASE).path("resources")) {
            baseResources.addAll(byFile.get(BASE.resolve(resource.asText()).normalize()));
        }
    }

    /** The base's resources with the ConfigMaps its generator makes (as documents, without the name suffix). */
    static List<Doc> baseWithGeneratedConfigMaps() {
        if (baseResources == null) {
            load();
        }
        return SecurityChecks.withGeneratedConfigMaps(baseResources, kustomization(BASE));
    }

    static JsonNode kustomization(Path dir) {
        return Repo.loadAll(dir.resolve("kustomization.yaml")).get(0).node();
    }

    @Test
    void everyYamlDocumentParsesAndNamesItsKind() {
        assertThat(byFile).hasSizeGreaterThanOrEqualTo(10);
        List<String> errors = new ArrayList<>();
        byFile.forEach((file, docs) -> {
            if (docs.isEmpty()) {
                errors.add(file + ": no document");
            }
            for (Doc d : docs) {
                if (d.node().path("apiVersion").asText().isEmpty() || d.kind().isEmpty()) {
                    errors.add(d + ": apiVersion and kind required");
                }
                if (!d.kind().equals("Kustomization") && !d.kind().equals("Component") && d.name().isEmpty()) {
                    errors.add(d + ": metadata.name required");
                }
            }
        });
        assertThat(errors).isEmpty();
    }

    @Test
    void kustomizationsReferToExistingFiles() {
        List<String> errors = new ArrayList<>();
        List<Path> kustomizations = byFile.keySet().stream()
                .filter(p -> p.getFileName().toString().equals("kustomization.yaml")).toList();
        // base, dev, production, components/external-database, components/monitoring
        assertThat(kustomizations).hasSize(5);
        for (Path file : kustomizations) {
            Path dir = file.getParent();
            JsonNode k = byFile.get(file).get(0).node();
            for (String list : List.of("resources", "components")) {
                for (JsonNode ref : k.path(list)) {
                    Path target = dir.resolve(ref.asText()).normalize();
                    boolean ok = Files.isRegularFile(target)
                            || Files.isRegularFile(target.resolve("kustomization.yaml"));
                    if (!ok) {
                        errors.add(file + ": " + list + " entry " + ref.asText() + " does not exist");
                    }
                }
            }
            for (JsonNode patch : k.path("patches")) {
                if (patch.has("path") && !Files.isRegularFile(dir.resolve(patch.path("path").asText()))) {
                    errors.add(file + ": patch " + patch.path("path").asText() + " does not exist");
                }
                if (!patch.has("path") && !patch.has("patch")) {
                    errors.add(file + ": a patch needs path or patch");
                }
            }
            for (JsonNode generator : k.path("configMapGenerator")) {
                for (String list : List.of("files", "envs")) {
                    for (JsonNode f : generator.path(list)) {
                        String name = f.asText().contains("=") ? f.asText().split("=", 2)[1] : f.asText();
                        if (!Files.isRegularFile(dir.resolve(name))) {
                            errors.add(file + ": configMapGenerator " + list + " " + name + " does not exist");
                        }
                    }
                }
            }
            for (String legacy : List.of("patchesStrategicMerge", "patchesJson6902", "commonLabels", "bases")) {
                if (k.has(legacy)) {
                    errors.add(file + ": deprecated field " + legacy + " (use resources/patches/labels)");
                }
            }
            if (k.has("secretGenerator")) {
                errors.add(file + ": secretGenerator puts secret values in the repository");
            }
        }
        // Every YAML file is used: a resource, a patch or a kustomization.
        Set<Path> used = new TreeSet<>(kustomizations);
        for (Path file : kustomizations) {
            JsonNode k = byFile.get(file).get(0).node();
            k.path("resources").forEach(r -> used.add(file.getParent().resolve(r.asText()).normalize()));
            k.path("patches").forEach(p -> {
                if (p.has("path")) {
                    used.add(file.getParent().resolve(p.path("path").asText()).normalize());
                }
            });
        }
        for (Path file : byFile.keySet()) {
            if (!used.contains(file)) {
                errors.add(file + ": not referenced by any kustomization.yaml");
            }
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void patchesTargetResourcesOfTheBase() {
        List<String> errors = new ArrayList<>();
        for (Path overlay : List.of(DEV, PRODUCTION)) {
            for (JsonNode patch : kustomization(overlay).path("patches")) {
                if (patch.has("path")) {
                    for (Doc d : byFile.get(overlay.resolve(patch.path("path").asText()).normalize())) {
                        if (Checks.find(baseResources, d.kind(), d.name()).isEmpty()) {
                            errors.add(d + ": patches nothing in the base");
                        }
                    }
                } else {
                    JsonNode target = patch.path("target");
                    boolean matches = baseResources.stream().anyMatch(r -> r.kind().equals(target.path("kind").asText())
                            && (!target.has("name") || r.name().equals(target.path("name").asText())));
                    if (!matches) {
                        errors.add(overlay + ": inline patch target " + target + " matches nothing in the base");
                    }
                }
            }
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void coreKindsParseStrictlyWithTheFabric8Model() {
        List<String> errors = new ArrayList<>();
        int parsed = 0;
        for (Doc d : baseResources) {
            if (StrictModel.classFor(d.node()) != null) {
                parsed++;
                StrictModel.problems(d.node()).forEach(p -> errors.add(d + ": " + p));
            }
        }
        assertThat(errors).isEmpty();
        // 3 Deployments, 3 Services, 3 PodDisruptionBudgets, 4 NetworkPolicies, 1 HorizontalPodAutoscaler
        assertThat(parsed).isEqualTo(14);
    }

    @Test
    void deploymentsHaveProbesResourcesAndMetrics() {
        assertThat(Checks.deployments(baseResources)).isEmpty();
        assertThat(Checks.budgetsAndServices(baseResources)).isEmpty();
    }

    @Test
    void shutdownFitsTheTerminationGracePeriod() {
        Map<String, Map<String, String>> configMaps = new LinkedHashMap<>();
        for (JsonNode generator : kustomization(BASE).path("configMapGenerator")) {
            Map<String, String> data = new LinkedHashMap<>();
            generator.path("literals").forEach(l -> data.put(l.asText().split("=", 2)[0], l.asText().split("=", 2)[1]));
            configMaps.put(generator.path("name").asText(), data);
        }
        assertThat(configMaps.get("herald-config")).containsKeys("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_SECURITY_PROTOCOL",
                "KAFKA_SASL_MECHANISM", "QUARKUS_DATASOURCE_JDBC_URL", "HERALD_DEV_SINK_ENABLED");
        assertThat(Checks.gracefulShutdown(Checks.ofKind(baseResources, "Deployment"), configMaps)).isEmpty();
    }

    @Test
    void everyTopicHasAKafkaTopicAndKedaStaysWithinPartitions() {
        assertThat(Repo.heraldTopics().keySet()).containsExactlyInAnyOrder("herald.notifications", "herald.events",
                "herald.notifications.dlq", "herald.deliveries", "herald.deliveries.dlq",
                "herald.pushers.rejected", "herald.changes");
        assertThat(Checks.topicsAndAutoscaling(baseResources)).isEmpty();
        assertThat(Checks.partitions(baseResources).get("herald.deliveries")).isGreaterThanOrEqualTo(24);
        // Overlays that change maxReplicaCount must stay within the partitions too.
        int deliveries = Checks.partitions(baseResources).get("herald.deliveries");
        for (Path file : byFile.keySet()) {
            if (!file.startsWith(Repo.KUBERNETES.resolve("overlays"))) {
                continue;
            }
            String text = Repo.read(file);
            var m = java.util.regex.Pattern.compile("maxReplicaCount:?\\s*\\n?\\s*(?:value:\\s*)?(\\d+)").matcher(text);
            while (m.find()) {
                assertThat(Integer.parseInt(m.group(1))).as(file + " maxReplicaCount")
                        .isLessThanOrEqualTo(deliveries);
            }
        }
    }

    @Test
    void strimziClusterIsKraftWithNodePools() {
        Doc kafka = Checks.find(baseResources, "Kafka", "herald-kafka").orElseThrow();
        assertThat(kafka.node().path("metadata").path("annotations").path("strimzi.io/node-pools").asText())
                .isEqualTo("enabled");
        assertThat(kafka.node().path("metadata").path("annotations").path("strimzi.io/kraft").asText())
                .isEqualTo("enabled");
        assertThat(kafka.node().path("spec").has("zookeeper")).isFalse();
        Doc pool = Checks.ofKind(baseResources, "KafkaNodePool").get(0);
        assertThat(pool.node().path("metadata").path("labels").path("strimzi.io/cluster").asText())
                .isEqualTo("herald-kafka");
        List<String> roles = new ArrayList<>();
        pool.node().path("spec").path("roles").forEach(r -> roles.add(r.asText()));
        assertThat(roles).contains("controller", "broker");
        assertThat(kafka.node().path("spec").path("kafka").path("config").path("auto.create.topics.enable")
                .asBoolean(true)).isFalse();
        // The services' bootstrap address is Strimzi's bootstrap Service of this cluster.
        String bootstrap = configLiteral("herald-config", "KAFKA_BOOTSTRAP_SERVERS");
        assertThat(bootstrap).isEqualTo("herald-kafka-kafka-bootstrap:9092");
        Doc db = Checks.find(baseResources, "Cluster", "herald-db").orElseThrow();
        assertThat(db.node().path("apiVersion").asText()).isEqualTo("postgresql.cnpg.io/v1");
        assertThat(configLiteral("herald-config", "QUARKUS_DATASOURCE_JDBC_URL"))
                .startsWith("jdbc:postgresql://herald-db-rw:5432/"
                        + db.node().path("spec").path("bootstrap").path("initdb").path("database").asText());
    }

    static String configLiteral(String configMap, String key) {
        for (JsonNode generator : kustomization(BASE).path("configMapGenerator")) {
            if (generator.path("name").asText().equals(configMap)) {
                for (JsonNode literal : generator.path("literals")) {
                    if (literal.asText().startsWith(key + "=")) {
                        return literal.asText().substring(key.length() + 1);
                    }
                }
            }
        }
        throw new AssertionError(key + " not in ConfigMap " + configMap);
    }

    @Test
    void secretsAreReferencedByDocumentedNameOnly() {
        List<Doc> all = byFile.values().stream().flatMap(List::stream).toList();
        assertThat(Checks.ofKind(all, "Secret")).as("Secret manifests (values do not belong here)").isEmpty();
        Set<String> referenced = Checks.secretReferences(all);
        assertThat(referenced).contains("herald-db-ingest", "herald-db-rules", "herald-db-dispatcher", "herald-ingest",
                "herald-rules", "herald-dispatcher", "herald-keda-kafka", "herald-auth", "herald-dispatcher-secrets", "herald-ingest-token");
        String doc = Repo.read(Repo.DEPLOY_DOC);
        for (String secret : referenced) {
            assertThat(doc).as("docs/deploy.md documents Secret " + secret).contains("`" + secret + "`");
        }
        // The required settings come from Secrets, never from literals.
        Map<String, String> secretEnv = Map.of("HERALD_SECRETS_KEY", "herald-dispatcher",
                "HERALD_AUTH_TOKENS_ADMIN_SHA256", "*", "QUARKUS_DATASOURCE_PASSWORD", "*",
                "KAFKA_SASL_JAAS_CONFIG", "*");
        for (Doc d : Checks.ofKind(baseResources, "Deployment")) {
            for (JsonNode c : Checks.containers(d)) {
                for (JsonNode env : c.path("env")) {
                    if (secretEnv.containsKey(env.path("name").asText())) {
                        assertThat(env.has("value")).as(d + " " + env.path("name").asText() + " as a literal").isFalse();
                        assertThat(env.path("valueFrom").has("secretKeyRef")).isTrue();
                    }
                }
            }
            secretEnv.forEach((name, deployment) -> {
                if (deployment.equals("*") || deployment.equals(d.name())) {
                    boolean present = false;
                    for (JsonNode c : Checks.containers(d)) {
                        for (JsonNode env : c.path("env")) {
                            present |= env.path("name").asText().equals(name);
                        }
                    }
                    assertThat(present).as(d + " sets " + name).isTrue();
                }
            });
        }
    }

    @Test
    void productionPinsEveryImage() {
        JsonNode images = kustomization(PRODUCTION).path("images");
        Set<String> baseImages = new TreeSet<>();
        for (Doc d : Checks.ofKind(baseResources, "Deployment")) {
            for (JsonNode c : Checks.containers(d)) {
                String image = c.path("image").asText();
                baseImages.add(image.substring(0, image.lastIndexOf(':')));
            }
        }
        Set<String> pinned = new TreeSet<>();
        for (JsonNode image : images) {
            String tag = image.path("newTag").asText();
            String digest = image.path("digest").asText();
            boolean ok = digest.startsWith("sha256:") || (!tag.isEmpty() && !tag.equals("latest"));
            assertThat(ok).as("production image " + image + " pins a tag (not latest) or a digest").isTrue();
            pinned.add(image.path("name").asText());
        }
        assertThat(pinned).containsAll(baseImages);
        assertThat(kustomization(PRODUCTION).path("namespace").asText()).isNotEmpty();
        assertThat(kustomization(DEV).path("namespace").asText()).isNotEmpty();
    }

    @Test
    void networkPolicyCoversEveryHeraldPod() {
        List<Doc> policies = Checks.ofKind(baseResources, "NetworkPolicy");
        assertThat(policies).isNotEmpty();
        for (Doc d : Checks.ofKind(baseResources, "Deployment")) {
            String name = d.node().path("spec").path("template").path("metadata").path("labels")
                    .path("app.kubernetes.io/name").asText();
            boolean covered = policies.stream().anyMatch(p -> {
                JsonNode selector = p.node().path("spec").path("podSelector");
                if (name.equals(selector.path("matchLabels").path("app.kubernetes.io/name").asText())) {
                    return true;
                }
                for (JsonNode expr : selector.path("matchExpressions")) {
                    for (JsonNode v : expr.path("values")) {
                        if (v.asText().equals(name)) {
                            return true;
                        }
                    }
                }
                return false;
            });
            assertThat(covered).as(d + " is selected by a NetworkPolicy").isTrue();
        }
    }

    @Test
    void everyDeploymentLogsInWithCredentialsFromSecretsOfItsOwn() {
        assertThat(SecurityChecks.credentialsFromSecrets(
                SecurityChecks.withGeneratedConfigMaps(baseResources, kustomization(BASE)))).isEmpty();
    }

    @Test
    void kafkaAuthenticatesEveryClientAndHoldsEachToItsAcls() {
        assertThat(SecurityChecks.kafkaLockedDown(baseResources)).isEmpty();
        assertThat(SecurityChecks.aclsCoverTheChannels(baseResources)).isEmpty();
        // Least privilege, as the issue asks: ingest and the producers write notifications and nothing else; the
        // dispatcher may not write them.
        Doc ingest = Checks.find(baseResources, "KafkaUser", "herald-ingest").orElseThrow();
        Doc producer = Checks.find(baseResources, "KafkaUser", "herald-producer").orElseThrow();
        Doc dispatcher = Checks.find(baseResources, "KafkaUser", "herald-dispatcher").orElseThrow();
        for (String topic : List.of("herald.deliveries", "herald.deliveries.dlq",
                "herald.notifications.dlq", "herald.pushers.rejected")) {
            assertThat(SecurityChecks.allows(ingest, "topic", topic, "Write")).as("ingest writes " + topic).isFalse();
            assertThat(SecurityChecks.allows(producer, "topic", topic, "Write")).as("producer writes " + topic).isFalse();
        }
        assertThat(SecurityChecks.allows(producer, "topic", "herald.notifications", "Write")).isTrue();
        assertThat(SecurityChecks.allows(producer, "topic", "herald.notifications", "Read")).isFalse();
        assertThat(SecurityChecks.allows(dispatcher, "topic", "herald.notifications", "Write")).isFalse();
        // Matrix room events: the producers (a homeserver) write them, the rules-service reads them, no one else
        Doc rules = Checks.find(baseResources, "KafkaUser", "herald-rules").orElseThrow();
        assertThat(SecurityChecks.allows(producer, "topic", "herald.events", "Write")).isTrue();
        assertThat(SecurityChecks.allows(rules, "topic", "herald.events", "Read")).isTrue();
        assertThat(SecurityChecks.allows(ingest, "topic", "herald.events", "Write")).isFalse();
        assertThat(SecurityChecks.allows(dispatcher, "topic", "herald.events", "Write")).isFalse();
    }

    @Test
    void networkPoliciesSelectRealPodsAndAdmitOnlyNamedPeers() {
        assertThat(SecurityChecks.networkPoliciesSelectSomething(baseResources)).isEmpty();
    }

    @Test
    void managementPortsAreForProbesAndMonitoringOnly() {
        assertThat(SecurityChecks.managementPortsStayInternal(baseResources)).isEmpty();
    }

    @Test
    void postgresHasOneRolePerServiceOwningItsSchema() {
        Doc cluster = Checks.find(baseResources, "Cluster", "herald-db").orElseThrow();
        Map<String, String> roleSecrets = new LinkedHashMap<>();
        for (JsonNode role : cluster.node().path("spec").path("managed").path("roles")) {
            roleSecrets.put(role.path("name").asText(), role.path("passwordSecret").path("name").asText());
            assertThat(role.path("login").asBoolean()).as(role.path("name").asText() + " logs in").isTrue();
            assertThat(role.path("superuser").asBoolean(false)).isFalse();
            assertThat(role.path("createdb").asBoolean(false)).isFalse();
        }
        Map<String, String> owners = new LinkedHashMap<>();
        Doc database = Checks.find(baseResources, "Database", "herald-db-herald").orElseThrow();
        database.node().path("spec").path("schemas").forEach(schema ->
                owners.put(schema.path("name").asText(), schema.path("owner").asText()));
        for (String service : Repo.SERVICES) {
            assertThat(roleSecrets).containsEntry("herald_" + service, "herald-db-" + service);
            assertThat(owners).containsEntry(service, "herald_" + service);
        }
        assertThat(database.node().path("spec").path("cluster").path("name").asText()).isEqualTo("herald-db");
    }

    @Test
    void rulesServiceRunsReplicasThatAgreeThroughChangeEvents() {
        // README, "Fan-out": every instance drops what a change event names, so replicas agree (ReplicaAgreementTest);
        // a rollout keeps one serving.
        Doc rules = Checks.find(baseResources, "Deployment", "herald-rules").orElseThrow();
        assertThat(rules.node().path("spec").path("replicas").asInt()).isEqualTo(2);
        assertThat(rules.node().path("spec").path("strategy").path("rollingUpdate").path("maxUnavailable").asInt())
                .isZero();
        assertThat(Checks.find(baseResources, "HorizontalPodAutoscaler", "herald-rules")).isEmpty();
    }
}

package io.herald.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.deploy.Repo.Doc;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Renders each overlay with {@code kubectl kustomize} and checks the result. Skipped (not failed) when kubectl is not
 * on the PATH (or with -Dherald.kubectl=none); {@link KubernetesManifestsTest} checks the files without it.
 */
class KustomizeRenderTest {

    static String kubectl;

    @BeforeAll
    static void findKubectl() {
        // -Dherald.kubectl=/path/to/kubectl, or =none to check the skip path on a machine that has kubectl.
        String configured = System.getProperty("herald.kubectl");
        if (configured != null && !configured.isBlank()) {
            kubectl = configured.equals("none") ? null : configured;
            return;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "kubectl");
            if (Files.isExecutable(candidate)) {
                kubectl = candidate.toString();
                return;
            }
        }
    }

    static List<Doc> render(String overlay) throws IOException, InterruptedException {
        Assumptions.assumeTrue(kubectl != null, "kubectl not on PATH: rendering skipped");
        Path dir = Repo.KUBERNETES.resolve("overlays").resolve(overlay);
        if (overlay.equals("production+external-database")) {
            // A throwaway overlay: production with the external-database component.
            dir = Path.of("target/kustomize/production-external-db").toAbsolutePath();
            Files.createDirectories(dir);
            Path root = dir.relativize(Repo.KUBERNETES);
            Files.writeString(dir.resolve("kustomization.yaml"), """
                    apiVersion: kustomize.config.k8s.io/v1beta1
                    kind: Kustomization
                    resources: [%s/overlays/production]
                    components: [%s/components/external-database]
                    """.formatted(root, root));
        }
        Process p = new ProcessBuilder(kubectl, "kustomize", dir.toString()).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize " + dir + ": " + err).isZero();
        return Repo.loadAll(dir.resolve("rendered.yaml"), new String(out, StandardCharsets.UTF_8));
    }

    static String namespaceOf(String overlay) {
        return overlay.startsWith("production") ? "herald" : "herald-dev";
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production", "production+external-database"})
    void renderedOverlayKeepsTheInvariants(String overlay) throws Exception {
        List<Doc> docs = render(overlay);
        List<String> errors = new ArrayList<>(Checks.everyInvariant(docs));
        Map<String, Map<String, String>> configMaps = Checks.configMaps(docs);

        String namespace = namespaceOf(overlay);
        for (Doc d : docs) {
            if (!namespace.equals(d.node().path("metadata").path("namespace").asText())) {
                errors.add(d + ": namespace " + d.node().path("metadata").path("namespace") + ", expected " + namespace);
            }
        }
        // KEDA's operator resolves the bootstrap address from its own namespace: the FQDN must name this one.
        for (JsonNode trigger : Checks.find(docs, "ScaledObject", "herald-dispatcher").orElseThrow()
                .node().path("spec").path("triggers")) {
            String bootstrap = trigger.path("metadata").path("bootstrapServers").asText();
            if (!bootstrap.equals("herald-kafka-kafka-bootstrap." + namespace + ".svc:9092")) {
                errors.add("KEDA trigger " + trigger.path("name").asText() + " bootstrapServers " + bootstrap
                        + " is not the Kafka bootstrap Service of namespace " + namespace);
            }
        }
        // Topics never ask for more replicas than the node pool has brokers.
        int brokers = Checks.ofKind(docs, "KafkaNodePool").stream()
                .mapToInt(pool -> pool.node().path("spec").path("replicas").asInt()).sum();
        for (Doc t : Checks.ofKind(docs, "KafkaTopic")) {
            if (t.node().path("spec").path("replicas").asInt() > brokers) {
                errors.add(t + ": replicas > " + brokers + " brokers");
            }
        }
        JsonNode kafkaConfig = Checks.find(docs, "Kafka", "herald-kafka").orElseThrow()
                .node().path("spec").path("kafka").path("config");
        for (String key : List.of("offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "default.replication.factor")) {
            if (kafkaConfig.path(key).asInt() > brokers) {
                errors.add("Kafka " + key + " " + kafkaConfig.path(key).asInt() + " > " + brokers + " brokers");
            }
        }
        assertThat(errors).isEmpty();

        boolean external = overlay.endsWith("external-database");
        assertThat(Checks.find(docs, "Cluster", "herald-db")).as("CloudNativePG cluster").matches(
                c -> c.isPresent() != external);
        String jdbc = configMaps.entrySet().stream().filter(e -> e.getKey().startsWith("herald-config-"))
                .findFirst().orElseThrow().getValue().get("QUARKUS_DATASOURCE_JDBC_URL");
        assertThat(jdbc).startsWith(external ? "jdbc:postgresql://postgres.example.org"
                : "jdbc:postgresql://herald-db-rw:5432/herald");
        String devSink = configMaps.entrySet().stream().filter(e -> e.getKey().startsWith("herald-config-"))
                .findFirst().orElseThrow().getValue().get("HERALD_DEV_SINK_ENABLED");
        assertThat(devSink).isEqualTo(overlay.equals("dev") ? "true" : "false");
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "production+external-database"})
    void productionRunsPinnedImagesFromItsRegistry(String overlay) throws Exception {
        List<Doc> docs = render(overlay);
        for (Doc d : Checks.ofKind(docs, "Deployment")) {
            for (JsonNode c : Checks.containers(d)) {
                String image = c.path("image").asText();
                assertThat(image).as(d + " image").matches("registry\\.example\\.org/herald/[a-z-]+-service:"
                        + java.util.regex.Pattern.quote(Repo.imageTag()) + "|.*@sha256:[0-9a-f]{64}");
                assertThat(image).doesNotEndWith(":latest");
            }
        }
        assertThat(Checks.find(docs, "ScaledObject", "herald-dispatcher").orElseThrow()
                .node().path("spec").path("minReplicaCount").asInt()).isGreaterThanOrEqualTo(2);
    }
}

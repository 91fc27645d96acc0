package io.herald.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.herald.deploy.Repo.Doc;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * deploy/helm/herald, linted and rendered with the Helm that helm-java bundles, and held to the invariants of the
 * Kustomize output: the same checks ({@link Checks#everyInvariant}), the same resources as the base by default, and
 * the options (monitoring, generated Secrets, no KEDA, an external database, tracing) rendering what they say.
 */
class HelmChartTest {

    static final String NAMESPACE = "herald";

    static List<Doc> render(Map<String, Object> values) {
        TemplateCommand template = new Helm(Repo.CHART).template().withName("herald").withNamespace(NAMESPACE);
        values.forEach(template::set);
        return Repo.loadAll(Repo.CHART.resolve("templates/rendered.yaml"), template.call());
    }

    @Test
    void theChartLintsClean() {
        LintResult lint = new Helm(Repo.CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void byDefaultItRendersWhatTheKustomizeBaseHasAndKeepsItsInvariants() {
        List<Doc> docs = render(Map.of());
        assertThat(Checks.everyInvariant(docs)).isEmpty();
        assertThat(names(docs)).isEqualTo(names(KubernetesManifestsTest.baseWithGeneratedConfigMaps()));
        // KEDA resolves the bootstrap address from its own namespace.
        assertThat(Checks.find(docs, "ScaledObject", "herald-dispatcher").orElseThrow().node()
                .at("/spec/triggers/0/metadata/bootstrapServers").asText())
                .isEqualTo("herald-kafka-kafka-bootstrap." + NAMESPACE + ".svc:9092");
        assertThat(Checks.ofKind(docs, "Secret")).as("Secrets are referenced, not rendered, by default").isEmpty();
        for (Doc d : Checks.ofKind(docs, "Deployment")) {
            for (JsonNode c : Checks.containers(d)) {
                assertThat(c.path("image").asText()).isEqualTo("herald/" + SecurityChecks.service(d) + "-service:"
                        + Repo.imageTag());
            }
        }
        assertThat(Checks.configMaps(docs).get("herald-config")).doesNotContainKey("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT");
    }

    @Test
    void theDeploymentsAndNetworkPoliciesOfTheKustomizeBase() {
        List<Doc> chart = render(Map.of());
        List<Doc> base = KubernetesManifestsTest.baseWithGeneratedConfigMaps();
        for (Doc deployment : Checks.ofKind(base, "Deployment")) {
            JsonNode spec = deployment.node().path("spec");
            JsonNode rendered = Checks.find(chart, "Deployment", deployment.name()).orElseThrow().node().path("spec");
            assertThat(rendered.path("replicas")).as(deployment.name()).isEqualTo(spec.path("replicas"));
            assertThat(rendered.path("strategy")).as(deployment.name()).isEqualTo(spec.path("strategy"));
            assertThat(rendered.at("/template/spec/containers/0/env")).as(deployment.name())
                    .isEqualTo(spec.at("/template/spec/containers/0/env"));
        }
        for (Doc policy : Checks.ofKind(base, "NetworkPolicy")) {
            assertThat(Checks.find(chart, "NetworkPolicy", policy.name()).orElseThrow().node().path("spec"))
                    .as(policy.name()).isEqualTo(policy.node().path("spec"));
        }
    }

    @Test
    void theSameKafkaUsersAndAclsAsTheKustomizeBase() {
        List<Doc> chart = render(Map.of());
        List<Doc> base = KubernetesManifestsTest.baseWithGeneratedConfigMaps();
        for (Doc user : Checks.ofKind(base, "KafkaUser")) {
            assertThat(Checks.find(chart, "KafkaUser", user.name()).orElseThrow().node().path("spec"))
                    .as(user.name()).isEqualTo(user.node().path("spec"));
        }
    }

    @Test
    void optionsRenderWhatTheySay() throws Exception {
        List<Doc> docs = render(Map.of("monitoring.enabled", true, "secrets.generate", true, "secrets.keepExisting", false,
                "keda.enabled", false,
                "postgresql.create", false, "postgresql.jdbcUrl", "jdbc:postgresql://db.example.org:5432/herald",
                "tracing.otlpEndpoint", "http://otel-collector.monitoring:4317", "image.digests.dispatcher",
                "sha256:" + "a".repeat(64), "dispatcher.replicas", 3));
        List<String> errors = Checks.everyInvariant(docs);
        // without KEDA, topicsAndAutoscaling misses its ScaledObject: that one finding is expected
        assertThat(errors).containsExactly("no KEDA ScaledObject herald-dispatcher among []");
        assertThat(Checks.find(docs, "Deployment", "herald-dispatcher").orElseThrow().node().path("spec")
                .path("replicas").asInt()).isEqualTo(3);
        assertThat(Checks.find(docs, "Deployment", "herald-dispatcher").orElseThrow().node()
                .at("/spec/template/spec/containers/0/image").asText()).endsWith("@sha256:" + "a".repeat(64));
        assertThat(Checks.find(docs, "Cluster", "herald-db")).isEmpty();
        Map<String, String> config = Checks.configMaps(docs).get("herald-config");
        assertThat(config).containsEntry("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://db.example.org:5432/herald")
                .containsEntry("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector.monitoring:4317")
                .containsEntry("QUARKUS_OTEL_TRACES_SAMPLER_ARG", "0.1");

        // Generated Secrets: every one the Deployments and KEDA read, with the keys they read.
        Set<String> secrets = Checks.ofKind(docs, "Secret").stream().map(Doc::name).collect(Collectors.toCollection(TreeSet::new));
        assertThat(secrets).containsExactlyInAnyOrder("herald-auth", "herald-ingest-token", "herald-dispatcher-secrets",
                "herald-db-ingest", "herald-db-rules", "herald-db-dispatcher", "herald-keda-kafka");
        assertThat(secrets).containsAll(Checks.secretReferences(docs).stream()
                .filter(name -> !Set.of("herald-ingest", "herald-rules", "herald-dispatcher").contains(name)).toList());
        JsonNode auth = Checks.find(docs, "Secret", "herald-auth").orElseThrow().node().path("data");
        String token = decode(auth.path("admin-token").asText());
        assertThat(token).startsWith("hrldt_");
        assertThat(decode(auth.path("admin-token-sha256").asText())).isEqualTo(sha256(token));
        String ingestToken = decode(Checks.find(docs, "Secret", "herald-ingest-token").orElseThrow().node()
                .path("data").path("token").asText());
        assertThat(ingestToken).startsWith("hrldt_").isNotEqualTo(token);
        assertThat(decode(auth.path("ingest-token-sha256").asText())).isEqualTo(sha256(ingestToken));
        assertThat(auth.has("ingest-token")).as("herald-auth holds ingest's token by its hash only").isFalse();
        assertThat(Base64.getDecoder().decode(decode(Checks.find(docs, "Secret", "herald-dispatcher-secrets").orElseThrow()
                .node().path("data").path("secrets-key").asText()))).hasSize(32);
        assertThat(decode(Checks.find(docs, "Secret", "herald-db-rules").orElseThrow().node().path("data")
                .path("username").asText())).isEqualTo("herald_rules");

        // Monitoring: the PodMonitor, the alert rules of files/alerts.yaml, the dashboard.
        assertThat(Checks.find(docs, "PodMonitor", "herald")).isPresent();
        assertThat(Checks.find(docs, "PrometheusRule", "herald").orElseThrow().node().path("spec").path("groups"))
                .isEqualTo(MonitoringTest.alertGroups());
        assertThat(Checks.find(docs, "ConfigMap", "herald-dashboard").orElseThrow().node().path("data")
                .path("herald-dashboard.json").asText()).isEqualTo(Repo.read(MonitoringTest.DASHBOARD).strip());
    }

    private static String sha256(String token) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private static Set<String> names(List<Doc> docs) {
        Set<String> names = new TreeSet<>();
        for (Doc d : docs) {
            names.add(d.kind() + "/" + d.name());
        }
        return names;
    }
}

package io.herald.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.deploy.Repo.Doc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The dashboard, the alert rules and the scraping manifests: one set of rules and one dashboard wherever they are
 * (the Helm chart's files, which Compose mounts; the Kubernetes component's copies), using only metrics documented in
 * docs/operations.md (whose metrics the fault suite finds in the services' scrapes), and a runbook for every alert.
 */
class MonitoringTest {

    static final Path ALERTS = Repo.CHART.resolve("files/alerts.yaml");
    static final Path DASHBOARD = Repo.CHART.resolve("files/herald-dashboard.json");
    static final Path COMPONENT = Repo.KUBERNETES.resolve("components/monitoring");
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final Pattern METRIC = Pattern.compile("\\b((?:herald|cache|http_server|jvm|process|kafka)_[a-z0-9_]+)");

    static JsonNode alertGroups() {
        return Repo.loadAll(ALERTS).get(0).node().path("groups");
    }

    static List<JsonNode> alerts() {
        List<JsonNode> rules = new ArrayList<>();
        alertGroups().forEach(group -> group.path("rules").forEach(rules::add));
        return rules;
    }

    @Test
    void theAlertRulesAndTheDashboardAreTheSameEverywhere() throws IOException {
        Doc rule = Repo.loadAll(COMPONENT.resolve("prometheus-rule.yaml")).get(0);
        assertThat(rule.kind()).isEqualTo("PrometheusRule");
        assertThat(rule.node().path("spec").path("groups")).isEqualTo(alertGroups());
        assertThat(Files.readString(COMPONENT.resolve("herald-dashboard.json"))).isEqualTo(Files.readString(DASHBOARD));
    }

    @Test
    void theDashboardAndTheAlertsUseOnlyDocumentedMetrics() throws IOException {
        Set<String> documented = documentedMetrics();
        assertThat(documented).contains("herald_delivery_latency_seconds", "herald_consumer_lag", "herald_circuit_state",
                "herald_intake_requests_total");
        List<String> expressions = new ArrayList<>();
        alerts().forEach(r -> expressions.add(r.path("expr").asText()));
        JSON.readTree(DASHBOARD.toFile()).findValues("expr").forEach(e -> expressions.add(e.asText()));
        assertThat(expressions).hasSizeGreaterThan(30);
        Set<String> undocumented = new TreeSet<>();
        for (String expr : expressions) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                String metric = m.group(1);
                String base = metric.replaceFirst("_(bucket|count|sum|max)$", "");
                if (!documented.contains(metric) && !documented.contains(base)) {
                    undocumented.add(metric);
                }
            }
        }
        assertThat(undocumented).as("metrics used but not in docs/operations.md, \"Metrics\"").isEmpty();
    }

    @Test
    void everyAlertHasARunbookSectionASeverityAndAWait() {
        String doc = Repo.read(Repo.OPERATIONS_DOC);
        List<String> names = new ArrayList<>();
        for (JsonNode rule : alerts()) {
            String name = rule.path("alert").asText();
            names.add(name);
            assertThat(doc).as("runbook of " + name).contains("\n### " + name + "\n");
            assertThat(rule.at("/annotations/runbook").asText()).isEqualTo("docs/operations.md#" + name.toLowerCase());
            assertThat(rule.at("/labels/severity").asText()).isIn("warning", "critical");
            assertThat(rule.at("/annotations/summary").asText()).isNotBlank();
        }
        // what the issue asks for: failing deliveries, dead letters growing, oldest pending above the SLO, a circuit
        // open for long, consumer lag rising, intake 5xx
        assertThat(names).contains("HeraldDeliveriesFailing", "HeraldDeadLettersGrowing", "HeraldOldestPendingAboveSlo",
                "HeraldCircuitOpen", "HeraldConsumerLagRising", "HeraldIntakeErrors");
    }

    @Test
    void thePodMonitorScrapesEachServicesManagementPort() {
        Doc monitor = Repo.loadAll(COMPONENT.resolve("pod-monitor.yaml")).get(0);
        JsonNode endpoint = monitor.node().at("/spec/podMetricsEndpoints/0");
        assertThat(endpoint.path("port").asText()).isEqualTo("management");
        assertThat(endpoint.path("path").asText()).isEqualTo("/q/metrics");
        List<Doc> deployments = Checks.ofKind(KubernetesManifestsTest.baseWithGeneratedConfigMaps(), "Deployment");
        assertThat(deployments).hasSize(3);
        for (Doc d : deployments) {
            Map<String, String> labels = new java.util.HashMap<>();
            d.node().at("/spec/template/metadata/labels").fields()
                    .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            assertThat(SecurityChecks.selects(monitor.node().at("/spec/selector"), labels)).as(d.toString()).isTrue();
        }
    }

    @Test
    void theDashboardIsAGrafanaDashboardOnAPrometheusDataSource() throws IOException {
        JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("uid").asText()).isEqualTo("herald");
        assertThat(dashboard.at("/templating/list/0/type").asText()).isEqualTo("datasource");
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.at("/datasource/uid").asText()).as(panel.path("title").asText()).isEqualTo("${datasource}");
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            queries += panel.path("targets").size();
        }
        assertThat(queries).isGreaterThan(30);
    }

    /** The metric names in docs/operations.md's "Metrics" section (in backticks). */
    static Set<String> documentedMetrics() {
        String doc = Repo.read(Repo.OPERATIONS_DOC);
        int from = doc.indexOf("\n## Metrics");
        String section = doc.substring(from, doc.indexOf("\n## ", from + 1));
        Set<String> names = new TreeSet<>();
        Matcher code = Pattern.compile("`([^`]+)`").matcher(section);
        while (code.find()) {
            Matcher m = METRIC.matcher(code.group(1));
            if (m.lookingAt()) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}

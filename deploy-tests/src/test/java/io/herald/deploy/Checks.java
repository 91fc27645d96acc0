package io.herald.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.deploy.Repo.Doc;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Invariants of a set of complete Kubernetes resources: the base as written, or an overlay as rendered. Each method
 * returns the violations it found (empty when the invariant holds), so a test can report all of them at once.
 */
final class Checks {

    static final Map<String, String> PROBES = Map.of(
            "startupProbe", "/q/health/started",
            "livenessProbe", "/q/health/live",
            "readinessProbe", "/q/health/ready");

    private Checks() {
    }

    /**
     * Every invariant of a complete set of resources (a rendered overlay or chart): the checks above, who may talk to
     * what ({@link SecurityChecks}), graceful shutdown against the ConfigMaps the Deployments read, and the core kinds
     * parsed strictly.
     */
    static List<String> everyInvariant(List<Doc> docs) {
        List<String> errors = new ArrayList<>();
        errors.addAll(deployments(docs));
        errors.addAll(budgetsAndServices(docs));
        errors.addAll(topicsAndAutoscaling(docs));
        errors.addAll(SecurityChecks.credentialsFromSecrets(docs));
        errors.addAll(SecurityChecks.kafkaLockedDown(docs));
        errors.addAll(SecurityChecks.aclsCoverTheChannels(docs));
        errors.addAll(SecurityChecks.networkPoliciesSelectSomething(docs));
        errors.addAll(SecurityChecks.managementPortsStayInternal(docs));
        errors.addAll(gracefulShutdown(ofKind(docs, "Deployment"), configMaps(docs)));
        for (Doc d : docs) {
            if (StrictModel.classFor(d.node()) != null) {
                StrictModel.problems(d.node()).forEach(p -> errors.add(d + ": " + p));
            }
        }
        return errors;
    }

    /** The data of each ConfigMap, by name. */
    static Map<String, Map<String, String>> configMaps(List<Doc> docs) {
        Map<String, Map<String, String>> configMaps = new java.util.LinkedHashMap<>();
        for (Doc cm : ofKind(docs, "ConfigMap")) {
            Map<String, String> data = new java.util.LinkedHashMap<>();
            cm.node().path("data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
            configMaps.put(cm.name(), data);
        }
        return configMaps;
    }

    static List<Doc> ofKind(List<Doc> docs, String kind) {
        return docs.stream().filter(d -> d.kind().equals(kind)).toList();
    }

    static Optional<Doc> find(List<Doc> docs, String kind, String name) {
        return docs.stream().filter(d -> d.kind().equals(kind) && d.name().equals(name)).findFirst();
    }

    static Iterable<JsonNode> containers(Doc deployment) {
        return deployment.node().path("spec").path("template").path("spec").path("containers");
    }

    /** Probes on the Quarkus health endpoints, requests and limits, non-root, a graceful stop. */
    static List<String> deployments(List<Doc> docs) {
        List<String> errors = new ArrayList<>();
        List<Doc> deployments = ofKind(docs, "Deployment");
        if (deployments.size() != 3) {
            errors.add("expected the three Herald Deployments, found " + deployments);
        }
        for (Doc d : deployments) {
            JsonNode pod = d.node().path("spec").path("template").path("spec");
            JsonNode annotations = d.node().path("spec").path("template").path("metadata").path("annotations");
            for (JsonNode c : containers(d)) {
                String where = d + " container " + c.path("name").asText();
                PROBES.forEach((probe, path) -> {
                    JsonNode get = c.path(probe).path("httpGet");
                    if (!path.equals(get.path("path").asText())) {
                        errors.add(where + ": " + probe + " must GET " + path + ", has " + c.path(probe));
                    }
                });
                for (String section : List.of("requests", "limits")) {
                    for (String resource : List.of("cpu", "memory")) {
                        if (c.path("resources").path(section).path(resource).asText().isEmpty()) {
                            errors.add(where + ": resources." + section + "." + resource + " missing");
                        }
                    }
                }
                String image = c.path("image").asText();
                if (image.isEmpty() || image.endsWith(":latest") || !hasTagOrDigest(image)) {
                    errors.add(where + ": image must carry a tag other than latest, or a digest: " + image);
                }
                boolean nonRoot = pod.path("securityContext").path("runAsNonRoot").asBoolean(false)
                        || c.path("securityContext").path("runAsNonRoot").asBoolean(false);
                if (!nonRoot) {
                    errors.add(where + ": runAsNonRoot missing");
                }
                // Metrics are scraped from the management interface, not the API port.
                int port = 0;
                for (JsonNode p : c.path("ports")) {
                    if ("management".equals(p.path("name").asText())) {
                        port = p.path("containerPort").asInt();
                    }
                }
                if (!"true".equals(annotations.path("prometheus.io/scrape").asText())
                        || !"/q/metrics".equals(annotations.path("prometheus.io/path").asText())
                        || !String.valueOf(port).equals(annotations.path("prometheus.io/port").asText())) {
                    errors.add(d + ": Prometheus annotations (scrape, /q/metrics, management port " + port
                            + ") missing: " + annotations);
                }
            }
            if (pod.path("terminationGracePeriodSeconds").asInt(0) < 30) {
                errors.add(d + ": terminationGracePeriodSeconds must leave time for a graceful stop (>= 30)");
            }
        }
        return errors;
    }

    /** terminationGracePeriodSeconds covers preStop sleep + QUARKUS_SHUTDOWN_TIMEOUT of the ConfigMaps used. */
    static List<String> gracefulShutdown(List<Doc> deployments, Map<String, Map<String, String>> configMaps) {
        List<String> errors = new ArrayList<>();
        for (Doc d : deployments) {
            JsonNode pod = d.node().path("spec").path("template").path("spec");
            int grace = pod.path("terminationGracePeriodSeconds").asInt(30);
            for (JsonNode c : containers(d)) {
                int preStop = 0;
                JsonNode cmd = c.path("lifecycle").path("preStop").path("exec").path("command");
                if (cmd.size() == 2 && cmd.get(0).asText().equals("sleep")) {
                    preStop = Integer.parseInt(cmd.get(1).asText());
                }
                Integer timeout = null;
                for (JsonNode from : c.path("envFrom")) {
                    String name = from.path("configMapRef").path("name").asText();
                    Map<String, String> data = configMaps.get(name);
                    if (data == null) {
                        errors.add(d + ": envFrom ConfigMap " + name + " is not defined");
                    } else if (data.containsKey("QUARKUS_SHUTDOWN_TIMEOUT")) {
                        timeout = seconds(data.get("QUARKUS_SHUTDOWN_TIMEOUT"));
                    }
                }
                if (timeout == null) {
                    errors.add(d + ": no QUARKUS_SHUTDOWN_TIMEOUT in its ConfigMaps");
                } else if (preStop + timeout + 5 > grace) {
                    errors.add(d + ": terminationGracePeriodSeconds " + grace + " < preStop " + preStop
                            + " s + QUARKUS_SHUTDOWN_TIMEOUT " + timeout + " s + 5 s margin");
                }
            }
        }
        return errors;
    }

    static int seconds(String duration) {
        Matcher m = Pattern.compile("^(\\d+)s$").matcher(duration.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a duration in seconds like 30s: " + duration);
        }
        return Integer.parseInt(m.group(1));
    }

    static boolean hasTagOrDigest(String image) {
        if (image.contains("@sha256:")) {
            return true;
        }
        int slash = image.lastIndexOf('/');
        return image.substring(slash + 1).contains(":");
    }

    /** Every Deployment has a PodDisruptionBudget and a Service selecting its pods. */
    static List<String> budgetsAndServices(List<Doc> docs) {
        List<String> errors = new ArrayList<>();
        for (Doc d : ofKind(docs, "Deployment")) {
            JsonNode labels = d.node().path("spec").path("template").path("metadata").path("labels");
            for (String kind : List.of("PodDisruptionBudget", "Service")) {
                boolean covered = ofKind(docs, kind).stream().anyMatch(other -> {
                    JsonNode selector = kind.equals("Service") ? other.node().path("spec").path("selector")
                            : other.node().path("spec").path("selector").path("matchLabels");
                    if (selector.isEmpty()) {
                        return false;
                    }
                    var it = selector.fields();
                    while (it.hasNext()) {
                        var e = it.next();
                        if (!e.getValue().asText().equals(labels.path(e.getKey()).asText())) {
                            return false;
                        }
                    }
                    return true;
                });
                if (!covered) {
                    errors.add(d + ": no " + kind + " selects its pods");
                }
            }
        }
        return errors;
    }

    /** KafkaTopic partitions by topic name. */
    static Map<String, Integer> partitions(List<Doc> docs) {
        Map<String, Integer> partitions = new TreeMap<>();
        for (Doc t : ofKind(docs, "KafkaTopic")) {
            String name = t.node().path("spec").path("topicName").asText(t.name());
            partitions.put(name, t.node().path("spec").path("partitions").asInt());
        }
        return partitions;
    }

    /** Every topic the services use has a KafkaTopic; KEDA never scales past the partitions it reads. */
    static List<String> topicsAndAutoscaling(List<Doc> docs) {
        List<String> errors = new ArrayList<>();
        Map<String, Integer> partitions = partitions(docs);
        for (String topic : Repo.heraldTopics().keySet()) {
            if (!partitions.containsKey(topic)) {
                errors.add("no KafkaTopic for " + topic + " (used by " + Repo.heraldTopics().get(topic) + ")");
            }
        }
        for (Doc t : ofKind(docs, "KafkaTopic")) {
            JsonNode spec = t.node().path("spec");
            if (!"herald-kafka".equals(t.node().path("metadata").path("labels").path("strimzi.io/cluster").asText())) {
                errors.add(t + ": label strimzi.io/cluster: herald-kafka missing");
            }
            if (spec.path("partitions").asInt() < 1 || spec.path("replicas").asInt() < 1) {
                errors.add(t + ": partitions and replicas required");
            }
            int minIsr = spec.path("config").path("min.insync.replicas").asInt(1);
            if (minIsr > spec.path("replicas").asInt()) {
                errors.add(t + ": min.insync.replicas " + minIsr + " > replicas");
            }
        }
        Map<String, String> groups = Repo.consumerGroups();
        List<Doc> scaled = ofKind(docs, "ScaledObject");
        Optional<Doc> dispatcher = find(docs, "ScaledObject", "herald-dispatcher");
        if (dispatcher.isEmpty()) {
            errors.add("no KEDA ScaledObject herald-dispatcher among " + scaled);
            return errors;
        }
        JsonNode spec = dispatcher.get().node().path("spec");
        int max = spec.path("maxReplicaCount").asInt(100);
        if (!"herald-dispatcher".equals(spec.path("scaleTargetRef").path("name").asText())) {
            errors.add("ScaledObject must target the Deployment herald-dispatcher");
        }
        Set<String> triggered = new LinkedHashSet<>();
        for (JsonNode trigger : spec.path("triggers")) {
            if (!"kafka".equals(trigger.path("type").asText())) {
                continue;
            }
            String topic = trigger.path("metadata").path("topic").asText();
            String group = trigger.path("metadata").path("consumerGroup").asText();
            triggered.add(topic + "/" + group);
            Integer count = partitions.get(topic);
            if (count == null) {
                errors.add("KEDA trigger on " + topic + " which has no KafkaTopic");
            } else if (max > count) {
                errors.add("KEDA maxReplicaCount " + max + " > " + count + " partitions of " + topic);
            }
            boolean groupMatches = groups.entrySet().stream()
                    .anyMatch(e -> e.getKey().startsWith(topic + " <- ") && group.equals(e.getValue()));
            if (!groupMatches) {
                errors.add("KEDA trigger " + topic + "/" + group + " matches no consumer group of the services "
                        + groups);
            }
        }
        for (String required : List.of("herald.deliveries/herald-dispatcher")) {
            if (!triggered.contains(required)) {
                errors.add("ScaledObject herald-dispatcher lacks a kafka trigger " + required);
            }
        }
        if (spec.path("minReplicaCount").asInt(0) > max) {
            errors.add("ScaledObject minReplicaCount > maxReplicaCount");
        }
        Optional<Doc> hpa = find(docs, "HorizontalPodAutoscaler", "herald-ingest");
        if (hpa.isEmpty()) {
            errors.add("no HorizontalPodAutoscaler herald-ingest");
        } else {
            JsonNode h = hpa.get().node().path("spec");
            boolean cpu = false;
            for (JsonNode metric : h.path("metrics")) {
                cpu |= "cpu".equals(metric.path("resource").path("name").asText());
            }
            if (!cpu || !"herald-ingest".equals(h.path("scaleTargetRef").path("name").asText())) {
                errors.add("HPA herald-ingest must scale Deployment herald-ingest on cpu");
            }
        }
        return errors;
    }

    /** Names of every Secret a resource refers to (env, envFrom, volumes, KEDA, CloudNativePG, KafkaUser). */
    static Set<String> secretReferences(List<Doc> docs) {
        Set<String> names = new LinkedHashSet<>();
        for (Doc d : docs) {
            collectSecretRefs(d.node(), names);
        }
        return names;
    }

    private static void collectSecretRefs(JsonNode node, Set<String> names) {
        if (node.isObject()) {
            var it = node.fields();
            while (it.hasNext()) {
                var e = it.next();
                String key = e.getKey();
                JsonNode value = e.getValue();
                if ((key.equals("secretKeyRef") || key.equals("secretRef")) && value.has("name")) {
                    names.add(value.path("name").asText());
                } else if (key.equals("secret") && value.has("secretName")) {
                    names.add(value.path("secretName").asText());
                } else if (key.equals("passwordSecret") && value.has("name")) {
                    names.add(value.path("name").asText()); // CloudNativePG managed roles
                } else if (key.equals("secretTargetRef")) {
                    value.forEach(ref -> names.add(ref.path("name").asText()));
                }
                collectSecretRefs(value, names);
            }
        } else if (node.isArray()) {
            node.forEach(child -> collectSecretRefs(child, names));
        }
    }
}

package io.herald.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.deploy.Repo.Doc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who may talk to what, on a set of complete Kubernetes resources (the base as written, or an overlay as rendered):
 * credentials from Secrets, Kafka closed to clients without a user and held to ACLs, NetworkPolicies that select
 * real pods, management ports for probes and monitoring only. Each method returns the violations it found.
 */
final class SecurityChecks {

    /** The management interface of each service (application.properties, quarkus.management.port). */
    static final Map<String, Integer> MANAGEMENT_PORTS = Map.of(
            "herald-ingest", 9081, "herald-rules", 9082, "herald-dispatcher", 9083);
    static final String MONITORING = "herald.io/monitoring";
    private static final Pattern SECRET_NAME = Pattern.compile("(PASSWORD|TOKEN|JAAS_CONFIG|SECRET|_KEY)$");

    private SecurityChecks() {
    }

    /** The service a Deployment runs: herald-rules → rules. */
    static String service(Doc deployment) {
        return deployment.name().substring("herald-".length());
    }

    static Optional<JsonNode> env(Doc deployment, String name) {
        for (JsonNode c : Checks.containers(deployment)) {
            for (JsonNode env : c.path("env")) {
                if (env.path("name").asText().equals(name)) {
                    return Optional.of(env);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Every Deployment logs in to PostgreSQL as its own role and to Kafka as its own KafkaUser, with credentials from
     * Secrets no other Deployment reads; nothing secret is a literal.
     */
    /**
     * Secrets every service reads on purpose: herald-auth holds only SHA-256 hashes of service tokens (the admin's,
     * which all three services accept, and ingest's); it lets no one log in anywhere.
     */
    static final Set<String> SHARED_SECRETS = Set.of("herald-auth");

    static List<String> credentialsFromSecrets(List<Doc> docs) {
        List<String> errors = new ArrayList<>();
        Map<String, String> secretUsers = new HashMap<>();
        for (Doc d : Checks.ofKind(docs, "Deployment")) {
            String service = service(d);
            Map<String, String> expected = Map.of(
                    "QUARKUS_DATASOURCE_USERNAME", "herald-db-" + service,
                    "QUARKUS_DATASOURCE_PASSWORD", "herald-db-" + service,
                    "KAFKA_SASL_JAAS_CONFIG", "herald-" + service);
            expected.forEach((name, secret) -> {
                Optional<JsonNode> env = env(d, name);
                String from = env.map(e -> e.path("valueFrom").path("secretKeyRef").path("name").asText()).orElse("");
                if (!from.equals(secret)) {
                    errors.add(d + ": " + name + " must come from the Secret " + secret + ", has " + env.orElse(null));
                }
            });
            if (Checks.find(docs, "KafkaUser", "herald-" + service).isEmpty()) {
                errors.add(d + ": no KafkaUser herald-" + service + " (whose Secret holds its SASL login)");
            }
            for (JsonNode c : Checks.containers(d)) {
                for (JsonNode env : c.path("env")) {
                    String name = env.path("name").asText();
                    if (SECRET_NAME.matcher(name).find() && env.has("value")) {
                        errors.add(d + ": " + name + " is a literal; it belongs in a Secret");
                    }
                    String secret = env.path("valueFrom").path("secretKeyRef").path("name").asText();
                    if (!secret.isEmpty() && !SHARED_SECRETS.contains(secret)) {
                        String other = secretUsers.putIfAbsent(secret, d.name());
                        if (other != null && !other.equals(d.name())) {
                            errors.add("Secret " + secret + " is read by both " + other + " and " + d.name());
                        }
                    }
                }
            }
        }
        for (Doc cm : Checks.ofKind(docs, "ConfigMap")) {
            if (cm.name().startsWith("herald-config")) {
                String protocol = cm.node().path("data").path("KAFKA_SECURITY_PROTOCOL").asText();
                if (!Set.of("SASL_PLAINTEXT", "SASL_SSL", "SSL").contains(protocol)) {
                    errors.add(cm + ": KAFKA_SECURITY_PROTOCOL " + protocol + " does not authenticate");
                }
            }
        }
        return errors;
    }

    /** The literals of the base ConfigMap generator count as the ConfigMap's data. */
    static List<Doc> withGeneratedConfigMaps(List<Doc> docs, JsonNode kustomization) {
        List<Doc> all = new ArrayList<>(docs);
        for (JsonNode generator : kustomization.path("configMapGenerator")) {
            var data = Repo.YAML.createObjectNode();
            generator.path("literals").forEach(l -> data.put(l.asText().split("=", 2)[0], l.asText().split("=", 2)[1]));
            var node = Repo.YAML.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
            node.putObject("metadata").put("name", generator.path("name").asText());
            node.set("data", data);
            all.add(new Doc(Repo.KUBERNETES.resolve("base/kustomization.yaml"), node));
        }
        return all;
    }

    /**
     * Every Kafka listener authenticates, the brokers authorize (ACLs), every service and the Kafka-native producers
     * have a KafkaUser, and KEDA reads the lag with credentials of its own.
     */
    static List<String> kafkaLockedDown(List<Doc> docs) {
        List<String> errors = new ArrayList<>();
        for (Doc kafka : Checks.ofKind(docs, "Kafka")) {
            JsonNode spec = kafka.node().path("spec").path("kafka");
            if (spec.path("listeners").isEmpty()) {
                errors.add(kafka + ": no listeners");
            }
            for (JsonNode listener : spec.path("listeners")) {
                String type = listener.path("authentication").path("type").asText();
                if (!Set.of("scram-sha-512", "tls").contains(type)) {
                    errors.add(kafka + ": listener " + listener.path("name").asText()
                            + " without authentication (scram-sha-512 or tls): " + listener.path("authentication"));
                }
                if (listener.path("networkPolicyPeers").isEmpty()) {
                    errors.add(kafka + ": listener " + listener.path("name").asText()
                            + " open to every pod (networkPolicyPeers missing)");
                }
            }
            if (!"simple".equals(spec.path("authorization").path("type").asText())) {
                errors.add(kafka + ": authorization must be simple (ACLs), has " + spec.path("authorization"));
            }
            if (!kafka.node().path("spec").path("entityOperator").has("userOperator")) {
                errors.add(kafka + ": the user operator (entityOperator.userOperator) turns KafkaUsers into credentials");
            }
        }
        for (String user : List.of("herald-ingest", "herald-rules", "herald-dispatcher", "herald-producer")) {
            Optional<Doc> u = Checks.find(docs, "KafkaUser", user);
            if (u.isEmpty()) {
                errors.add("no KafkaUser " + user);
            } else if (!"simple".equals(u.get().node().path("spec").path("authorization").path("type").asText())) {
                errors.add(u.get() + ": ACLs (authorization.type simple) required");
            }
        }
        for (Doc so : Checks.ofKind(docs, "ScaledObject")) {
            for (JsonNode trigger : so.node().path("spec").path("triggers")) {
                String ref = trigger.path("authenticationRef").path("name").asText();
                if ("kafka".equals(trigger.path("type").asText())
                        && Checks.find(docs, "TriggerAuthentication", ref).isEmpty()) {
                    errors.add(so + ": kafka trigger " + trigger.path("name").asText()
                            + " needs an authenticationRef to a TriggerAuthentication, has '" + ref + "'");
                }
            }
        }
        return errors;
    }

    /** ACLs of a KafkaUser: does it allow {@code operation} on the resource? */
    static boolean allows(Doc user, String type, String name, String operation) {
        for (JsonNode acl : user.node().path("spec").path("authorization").path("acls")) {
            JsonNode r = acl.path("resource");
            boolean prefix = "prefix".equals(r.path("patternType").asText("literal"));
            boolean matches = r.path("type").asText().equals(type)
                    && (prefix ? name.startsWith(r.path("name").asText()) : name.equals(r.path("name").asText()));
            if (matches) {
                for (JsonNode op : acl.path("operations")) {
                    if (op.asText().equals(operation) || op.asText().equals("All")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Each service's KafkaUser allows what its application.properties configures: reading its incoming topics in
     * their groups, writing its outgoing and dead-letter topics.
     */
    static List<String> aclsCoverTheChannels(List<Doc> docs) {
        List<String> errors = new ArrayList<>();
        Pattern channel = Pattern.compile("^mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.topic$");
        for (String service : Repo.SERVICES) {
            Optional<Doc> user = Checks.find(docs, "KafkaUser", "herald-" + service);
            if (user.isEmpty()) {
                continue; // kafkaLockedDown reports it
            }
            Properties props = Repo.applicationProperties(service);
            for (String key : props.stringPropertyNames()) {
                Matcher m = channel.matcher(key);
                if (!m.matches()) {
                    continue;
                }
                String prefix = "mp.messaging." + m.group(1) + "." + m.group(2) + ".";
                String topic = props.getProperty(key).trim();
                List<String[]> needed = new ArrayList<>();
                if (m.group(1).equals("incoming")) {
                    needed.add(new String[] {"topic", topic, "Read"});
                    needed.add(new String[] {"group", props.getProperty(prefix + "group.id", "?").trim(), "Read"});
                    String dlq = props.getProperty(prefix + "dead-letter-queue.topic");
                    if (dlq != null) {
                        needed.add(new String[] {"topic", dlq.trim(), "Write"});
                    }
                } else {
                    needed.add(new String[] {"topic", topic, "Write"});
                }
                for (String[] n : needed) {
                    if (!allows(user.get(), n[0], n[1], n[2])) {
                        errors.add(user.get() + ": " + service + " needs " + n[2] + " on " + n[0] + " " + n[1]
                                + " (" + prefix + "*)");
                    }
                }
            }
        }
        return errors;
    }

    /** Labels of the pods the resources make: Deployments' templates, CloudNativePG clusters' instances. */
    static List<Map<String, String>> podLabels(List<Doc> docs) {
        List<Map<String, String>> pods = new ArrayList<>();
        for (Doc d : Checks.ofKind(docs, "Deployment")) {
            Map<String, String> labels = new HashMap<>();
            d.node().path("spec").path("template").path("metadata").path("labels").fields()
                    .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            pods.add(labels);
        }
        for (Doc c : Checks.ofKind(docs, "Cluster")) {
            pods.add(Map.of("cnpg.io/cluster", c.name()));
        }
        return pods;
    }

    static boolean selects(JsonNode selector, Map<String, String> labels) {
        var it = selector.path("matchLabels").fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().asText().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (JsonNode expr : selector.path("matchExpressions")) {
            Set<String> values = new LinkedHashSet<>();
            expr.path("values").forEach(v -> values.add(v.asText()));
            String value = labels.get(expr.path("key").asText());
            boolean ok = switch (expr.path("operator").asText()) {
                case "In" -> values.contains(value);
                case "NotIn" -> !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Every NetworkPolicy names the pods it is for (no empty selector) and selects some pod the resources make; none
     * admits traffic from anywhere (a rule without {@code from}) or from every pod of every namespace.
     */
    static List<String> networkPoliciesSelectSomething(List<Doc> docs) {
        List<String> errors = new ArrayList<>();
        List<Map<String, String>> pods = podLabels(docs);
        for (Doc p : Checks.ofKind(docs, "NetworkPolicy")) {
            JsonNode selector = p.node().path("spec").path("podSelector");
            if (selector.path("matchLabels").isEmpty() && selector.path("matchExpressions").isEmpty()) {
                errors.add(p + ": an empty podSelector selects every pod of the namespace");
            } else if (pods.stream().noneMatch(labels -> selects(selector, labels))) {
                errors.add(p + ": selects no pod of these resources");
            }
            for (JsonNode rule : p.node().path("spec").path("ingress")) {
                if (rule.path("from").isEmpty()) {
                    errors.add(p + ": an ingress rule without 'from' admits everyone: " + rule);
                }
                for (JsonNode peer : rule.path("from")) {
                    boolean anyNamespace = peer.has("namespaceSelector") && peer.path("namespaceSelector").isEmpty();
                    boolean anyPod = !peer.has("podSelector") || peer.path("podSelector").isEmpty();
                    if (anyNamespace && anyPod) {
                        errors.add(p + ": a peer that is every pod of every namespace: " + peer);
                    }
                }
            }
        }
        return errors;
    }

    /**
     * The management ports (health, metrics) are for kubelet probes and monitoring: declared on each container,
     * used by the probes and the Prometheus annotations, behind no Service or Ingress, and admitted by the
     * NetworkPolicies only from the monitoring namespaces; the API ports are not opened to monitoring.
     */
    static List<String> managementPortsStayInternal(List<Doc> docs) {
        List<String> errors = new ArrayList<>();
        Set<Integer> management = new LinkedHashSet<>(MANAGEMENT_PORTS.values());
        for (Doc d : Checks.ofKind(docs, "Deployment")) {
            Integer port = MANAGEMENT_PORTS.get(d.name());
            for (JsonNode c : Checks.containers(d)) {
                boolean declared = false;
                for (JsonNode p : c.path("ports")) {
                    declared |= "management".equals(p.path("name").asText()) && p.path("containerPort").asInt() == port;
                }
                if (!declared) {
                    errors.add(d + ": container port 'management' " + port + " missing");
                }
                Checks.PROBES.keySet().forEach(probe -> {
                    if (!"management".equals(c.path(probe).path("httpGet").path("port").asText())) {
                        errors.add(d + ": " + probe + " must ask the management port");
                    }
                });
            }
        }
        for (Doc s : Checks.ofKind(docs, "Service")) {
            for (JsonNode p : s.node().path("spec").path("ports")) {
                if ("management".equals(p.path("targetPort").asText()) || management.contains(p.path("port").asInt())
                        || management.contains(p.path("targetPort").asInt())) {
                    errors.add(s + ": exposes a management port: " + p);
                }
            }
        }
        for (Doc ingress : Checks.ofKind(docs, "Ingress")) {
            for (JsonNode backend : ingress.node().findValues("service")) {
                JsonNode port = backend.path("port");
                if ("management".equals(port.path("name").asText()) || management.contains(port.path("number").asInt())) {
                    errors.add(ingress + ": routes to a management port: " + backend);
                }
            }
        }
        // Monitoring may scrape the metrics ports (Herald's management ports, CloudNativePG's 9187), nothing else.
        Set<Integer> metrics = new LinkedHashSet<>(management);
        metrics.add(9187);
        for (Doc p : Checks.ofKind(docs, "NetworkPolicy")) {
            for (JsonNode rule : p.node().path("spec").path("ingress")) {
                boolean opensMetrics = false;
                boolean opensOther = false;
                for (JsonNode port : rule.path("ports")) {
                    if (metrics.contains(port.path("port").asInt())) {
                        opensMetrics = true;
                    } else {
                        opensOther = true;
                    }
                }
                boolean onlyMonitoring = !rule.path("from").isEmpty();
                boolean anyMonitoring = false;
                for (JsonNode peer : rule.path("from")) {
                    boolean monitoring = peer.path("namespaceSelector").path("matchLabels").has(MONITORING)
                            && !peer.has("podSelector");
                    onlyMonitoring &= monitoring;
                    anyMonitoring |= monitoring;
                }
                if (opensMetrics && !onlyMonitoring) {
                    errors.add(p + ": opens a management or metrics port to more than monitoring: " + rule);
                }
                if (anyMonitoring && (opensOther || rule.path("ports").isEmpty())) {
                    errors.add(p + ": opens more than the metrics ports to monitoring: " + rule);
                }
            }
        }
        return errors;
    }
}

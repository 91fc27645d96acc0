package io.herald.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Files of the repository the deployment is checked against, and YAML loading. */
final class Repo {

    static final Path ROOT = root();
    static final Path KUBERNETES = ROOT.resolve("deploy/kubernetes");
    static final Path CHART = ROOT.resolve("deploy/helm/herald");
    static final Path OPERATIONS_DOC = ROOT.resolve("docs/operations.md");
    static final Path COMPOSE = ROOT.resolve("docker-compose.yml");
    static final Path DEPLOY_DOC = ROOT.resolve("docs/deploy.md");
    static final List<String> SERVICES = List.of("ingest", "rules", "dispatcher");

    static final ObjectMapper YAML = new YAMLMapper(new YAMLFactory());

    private Repo() {
    }

    private static Path root() {
        String configured = System.getProperty("herald.repo.root");
        Path root = configured != null ? Path.of(configured) : Path.of("..");
        root = root.toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("docker-compose.yml"))) {
            throw new IllegalStateException("not the Herald repository root: " + root);
        }
        return root;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A YAML document and the file it came from. */
    record Doc(Path file, JsonNode node) {
        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }

        @Override
        public String toString() {
            return kind() + "/" + name() + " (" + ROOT.relativize(file) + ")";
        }
    }

    /** Every non-empty document of a multi-document YAML text. */
    static List<Doc> loadAll(Path file, String text) {
        List<Doc> docs = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(text)) {
            Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node != null && !(node instanceof NullNode) && !node.isEmpty()) {
                    docs.add(new Doc(file, node));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot parse " + file + ": " + e.getMessage(), e);
        }
        return docs;
    }

    static List<Doc> loadAll(Path file) {
        return loadAll(file, read(file));
    }

    /** Every .yaml/.yml file under deploy/kubernetes. */
    static List<Path> kubernetesFiles() {
        try (Stream<Path> files = Files.walk(KUBERNETES)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Properties applicationProperties(String service) {
        Properties props = new Properties();
        try (var in = Files.newBufferedReader(
                ROOT.resolve(service + "-service/src/main/resources/application.properties"))) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return props;
    }

    /**
     * Every Kafka topic a service reads or writes (channels and dead-letter topics), by the service that names it; and
     * herald.changes, which every service reads and writes with plain clients (io.herald.common.changes.ChangeFeed).
     */
    static Map<String, TreeSet<String>> heraldTopics() {
        Map<String, TreeSet<String>> topics = new TreeMap<>();
        topics.put("herald.changes", new TreeSet<>(SERVICES));
        for (String service : SERVICES) {
            Properties props = applicationProperties(service);
            for (String key : props.stringPropertyNames()) {
                if (!key.startsWith("%") && key.startsWith("mp.messaging.")
                        && (key.endsWith(".topic") || key.endsWith(".dead-letter-queue.topic"))) {
                    topics.computeIfAbsent(props.getProperty(key).trim(), t -> new TreeSet<>()).add(service);
                }
            }
        }
        return topics;
    }

    /** Consumer groups by topic, from the services' incoming channels. */
    static Map<String, String> consumerGroups() {
        Map<String, String> groups = new TreeMap<>();
        for (String service : SERVICES) {
            Properties props = applicationProperties(service);
            for (String key : props.stringPropertyNames()) {
                Matcher m = Pattern.compile("^mp\\.messaging\\.incoming\\.([^.]+)\\.topic$").matcher(key);
                if (m.matches()) {
                    String group = props.getProperty("mp.messaging.incoming." + m.group(1) + ".group.id");
                    groups.put(props.getProperty(key).trim() + " <- " + m.group(1), group);
                }
            }
        }
        return groups;
    }

    /** The image tag the root pom's images profile builds (herald.image.tag). */
    static String imageTag() {
        Matcher m = Pattern.compile("<herald\\.image\\.tag>([^<]+)</herald\\.image\\.tag>")
                .matcher(read(ROOT.resolve("pom.xml")));
        if (!m.find()) {
            throw new IllegalStateException("herald.image.tag not found in pom.xml");
        }
        return m.group(1).trim();
    }
}

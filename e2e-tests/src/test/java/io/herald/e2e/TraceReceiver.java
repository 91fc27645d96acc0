package io.herald.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.common.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * deploy/local/TraceViewer.java, the OTLP receiver {@code run.sh --observability} uses, run as its own process: the
 * services export their spans to it, the tests read them back from its {@code /traces.json}.
 */
final class TraceReceiver implements AutoCloseable {

    final int port;
    private final Process process;

    private TraceReceiver(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    static TraceReceiver start() throws IOException {
        int port = ServiceProcess.freePort();
        Path log = Files.createDirectories(ServiceProcess.repoRoot().resolve("e2e-tests/target/service-logs"))
                .resolve("traces.log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                ServiceProcess.repoRoot().resolve("deploy/local/TraceViewer.java").toString(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        TraceReceiver receiver = new TraceReceiver(port, process);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> receiver.get("/") != null);
        return receiver;
    }

    /** What a service needs to export every trace here, quickly. */
    Map<String, String> serviceConfig() {
        return Map.of("quarkus.otel.exporter.otlp.endpoint", "http://127.0.0.1:" + port,
                "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                "quarkus.otel.traces.sampler.arg", "1.0",
                "quarkus.otel.bsp.schedule.delay", "200ms");
    }

    /** Every span received so far. */
    List<JsonNode> spans() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        Json.MAPPER.readTree(get("/traces.json")).forEach(out::add);
        return out;
    }

    private String get(String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
        c.setConnectTimeout(1000);
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        process.destroy();
    }
}

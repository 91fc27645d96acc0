package io.herald.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One Herald service run from its packaged fast-jar as a separate process, as users run it. */
final class ServiceProcess implements AutoCloseable {

    final String name;
    final int port;
    /** The management interface: /q/health and /q/metrics. */
    final int managementPort;
    private final Process process;
    final Path log;

    private ServiceProcess(String name, int port, int managementPort, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
        this.log = log;
    }

    static Path repoRoot() {
        String root = System.getProperty("herald.repo.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }

    /** Starts {@code <module>/target/quarkus-app/quarkus-run.jar} with the given configuration and waits for readiness. */
    static ServiceProcess start(String module, Map<String, String> config) throws IOException {
        return start(module, module, config);
    }

    /** Starts one named instance of a module (several instances of one service each get their own log). */
    static ServiceProcess start(String module, String instance, Map<String, String> config) throws IOException {
        return start(module, instance, config, Map.of());
    }

    /**
     * Starts one named instance with configuration as system properties ({@code config}) and as environment
     * variables ({@code environment}, e.g. {@code KAFKA_SASL_JAAS_CONFIG}, as Compose and Kubernetes give it).
     */
    static ServiceProcess start(String module, String instance, Map<String, String> config,
            Map<String, String> environment) throws IOException {
        Path jar = repoRoot().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first (./mvnw verify builds them)");
        }
        int port = freePort();
        int managementPort = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + System.getProperty("herald.service.xmx", "256m"),
                "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort, "-Dquarkus.management.host=127.0.0.1"));
        // e.g. -Dherald.service.jvm-options=-XX:StartFlightRecording=filename=/tmp/d.jfr to profile a benchmark
        String jvmOptions = System.getProperty("herald.service.jvm-options", "").trim();
        if (!jvmOptions.isEmpty()) {
            command.addAll(List.of(jvmOptions.split("\\s+")));
        }
        config.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toString());
        Path log = Files.createDirectories(repoRoot().resolve("e2e-tests/target/service-logs")).resolve(instance + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(AdminToken.environment());
        builder.environment().putAll(environment);
        Process process = builder.start();
        ServiceProcess service = new ServiceProcess(instance, port, managementPort, process, log);
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException(module + " exited: " + Files.readString(log));
                }
                return service.ready();
            });
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        return service;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Where /q/health and /q/metrics are (the management interface, not the API port). */
    String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    private boolean ready() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(managementUrl() + "/q/health/ready").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            return c.getResponseCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private volatile boolean stopping;

    boolean isAlive() {
        return process.isAlive();
    }

    /** Killed or closed by the test (not by a crash). */
    boolean stoppedOnPurpose() {
        return stopping;
    }

    long pid() {
        return process.pid();
    }

    /** CPU time the process used so far (user + system), for benchmarks. */
    Duration cpuTime() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** {@code kill -9}: no shutdown hook, no offset commit, no goodbye. */
    void kill() throws InterruptedException {
        stopping = true;
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM: a graceful stop (partitions handed over, offsets committed); SIGKILL after 20 s. */
    @Override
    public void close() {
        stopping = true;
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

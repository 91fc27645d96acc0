package io.herald.e2e;

import io.herald.testsupport.EmbeddedKafka;
import io.herald.testsupport.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The three packaged services the tests against a real Synapse share ({@link SynapseInteropTest},
 * {@link SynapseDifferentialTest}): started once per test JVM, on the embedded broker and PostgreSQL, stopped when the
 * JVM ends. Starting them is most of those tests' time on two cores, so they are started once.
 */
final class SynapseStack {

    /** The services, and the recording push gateway the dispatcher may reach on loopback. */
    record Services(ServiceProcess ingest, ServiceProcess rules, ServiceProcess dispatcher, FakePushGateway gateway) {
    }

    private static Services services;

    private SynapseStack() {
    }

    static synchronized Services start(String synapse, String serverName) throws Exception {
        if (services != null) {
            return services;
        }
        Map<String, String> common = Map.of(
                "kafka.bootstrap.servers", EmbeddedKafka.bootstrapServers(),
                "quarkus.datasource.jdbc.url", EmbeddedPostgres.jdbcUrl(),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres");
        AdminToken.sendByDefault();
        FakePushGateway gateway = new FakePushGateway();
        // Matrix users manage their own push rules with their Synapse access token (checked with Synapse's whoami);
        // the rules and the pushes are Synapse's (the differential test compares them)
        CompletableFuture<ServiceProcess> rules = startAsync("rules-service", merge(common, Map.of(
                "herald.auth.matrix.homeserver", synapse,
                // short, so a token logged out at Synapse is refused within the test (default 60 s)
                "herald.auth.matrix.cache-ttl", "1s",
                "herald.rules.defaults", "synapse",
                "herald.rules.events.server-name", serverName)));
        CompletableFuture<ServiceProcess> dispatcher = startAsync("dispatcher-service", merge(common, Map.of(
                "herald.secrets.key", "aW50ZXJvcC10ZXN0LWtleS0zMi1ieXRlcy1sb25nLS0=",
                // Server discovery of "localhost:8008" over http: Synapse serves its own well-known there.
                "herald.dispatcher.discovery.scheme", "http",
                // Synapse listens on loopback (or where HERALD_SYNAPSE_NETWORKS says: a container's network)
                "herald.dispatcher.outbound.homeserver-networks", env("HERALD_SYNAPSE_NETWORKS", "127.0.0.0/8,::1/128"),
                // the recording push gateway listens on loopback too
                "herald.dispatcher.outbound.allowed-networks", "127.0.0.1/32",
                "herald.dispatcher.request-timeout", "20s",
                "herald.dispatcher.backoff.initial", "200ms",
                "herald.dispatcher.backoff.max", "2s")));
        // ingest asks the dispatcher for notifications' status (edits and redactions look up the original there)
        CompletableFuture<ServiceProcess> ingest = dispatcher.thenCompose(d -> startAsync("ingest-service",
                merge(common, Map.of("herald.ingest.dispatcher.url", d.url(),
                        "herald.ingest.dispatcher.token", AdminToken.TOKEN))));
        CompletableFuture.allOf(ingest, rules, dispatcher).exceptionally(e -> null).join();
        Services started = new Services(done(ingest), done(rules), done(dispatcher), gateway);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (ServiceProcess s : new ServiceProcess[] {started.ingest(), started.rules(), started.dispatcher()}) {
                if (s != null) {
                    s.close();
                }
            }
            gateway.close();
        }));
        CompletableFuture.allOf(ingest, rules, dispatcher).join(); // the ones that started are stopped at exit
        services = started;
        return services;
    }

    private static ServiceProcess done(CompletableFuture<ServiceProcess> f) {
        return f.isCompletedExceptionally() ? null : f.join();
    }

    static String env(String name, String defaultValue) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? defaultValue : value;
    }

    private static CompletableFuture<ServiceProcess> startAsync(String module, Map<String, String> config) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return ServiceProcess.start(module, "interop-" + module.replace("-service", ""), config);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new HashMap<>(a);
        m.putAll(b);
        return m;
    }
}

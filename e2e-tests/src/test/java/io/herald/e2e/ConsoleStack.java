package io.herald.e2e;

import static io.restassured.RestAssured.given;

import io.herald.testsupport.EmbeddedPostgres;
import io.herald.testsupport.KafkaUsers;
import io.herald.testsupport.SecuredEmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The three packaged services for the console's browser test and benchmark: the rules-service and the dispatcher
 * first, then ingest with their URLs (the console calls them), each with its own Kafka user and PostgreSQL role.
 */
final class ConsoleStack implements AutoCloseable {

    /** The console's trace link (a trace viewer's page of one notification). */
    static final String TRACE_URL = "http://traces.example/notifications/{notification_id}";


    final ServiceProcess rules;
    final ServiceProcess dispatcher;
    final ServiceProcess ingest;

    private ConsoleStack(ServiceProcess rules, ServiceProcess dispatcher, ServiceProcess ingest) {
        this.rules = rules;
        this.dispatcher = dispatcher;
        this.ingest = ingest;
    }

    static ConsoleStack start() throws Exception {
        SecuredEmbeddedKafka kafka = SecuredEmbeddedKafka.get();
        AdminToken.sendByDefault();
        CompletableFuture<ServiceProcess> rules = CompletableFuture.supplyAsync(() -> start("rules-service",
                merge(kafka.quarkusConfig(KafkaUsers.RULES), EmbeddedPostgres.datasourceOf("rules"))));
        CompletableFuture<ServiceProcess> dispatcher = CompletableFuture.supplyAsync(() -> start(
                "dispatcher-service", merge(kafka.quarkusConfig(KafkaUsers.DISPATCHER),
                        EmbeddedPostgres.datasourceOf("dispatcher"), Map.of(
                                "herald.secrets.key", "Y29uc29sZS10ZXN0LWtleS0zMi1ieXRlcy1sb25nLS0=",
                                "herald.dispatcher.outbound.allowed-networks", "127.0.0.0/8"))));
        ServiceProcess r = rules.get();
        ServiceProcess d = dispatcher.get();
        ServiceProcess i = start("ingest-service", merge(kafka.quarkusConfig(KafkaUsers.INGEST),
                EmbeddedPostgres.datasourceOf("ingest"), Map.of("herald.ingest.rules.url", r.url(),
                        "herald.ingest.dispatcher.url", d.url(),
                        "herald.ingest.console.trace-url", TRACE_URL)));
        return new ConsoleStack(r, d, i);
    }

    String console() {
        return ingest.url() + "/console";
    }

    /** A Matrix account of the dispatcher on {@code homeserver}, and Herald rooms linked through it (tenant console). */
    void account(String id, String homeserver, String... rooms) {
        given().contentType("application/json").body("{\"id\":\"" + id + "\",\"homeserver\":\"" + homeserver
                + "\",\"access_token\":\"syt_console\",\"user_id\":\"@bot:example.org\",\"device_id\":\"HERALDCONSOLE\"}")
                .post(dispatcher.url() + "/v1/matrix-accounts").then().statusCode(201);
        for (String room : rooms) {
            given().contentType("application/json").body("{\"matrix_room_id\":\"!" + room
                    + ":example.org\",\"account\":\"" + id + "\",\"tenant\":\"console\"}")
                    .put(rules.url() + "/v1/rooms/" + room).then().statusCode(201);
        }
    }

    private static ServiceProcess start(String module, Map<String, String> config) {
        try {
            return ServiceProcess.start(module, "console-" + module, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SafeVarargs
    private static Map<String, String> merge(Map<String, String>... maps) {
        Map<String, String> all = new HashMap<>();
        for (Map<String, String> m : maps) {
            all.putAll(m);
        }
        return all;
    }

    @Override
    public void close() {
        for (ServiceProcess p : new ServiceProcess[] {ingest, rules, dispatcher}) {
            if (p != null) {
                p.close();
            }
        }
    }
}

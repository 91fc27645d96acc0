package io.herald.dispatcher;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static io.herald.dispatcher.Deliveries.account;
import static io.herald.dispatcher.Deliveries.delivery;
import static io.herald.dispatcher.Deliveries.room;
import static io.herald.dispatcher.Deliveries.sendsTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.herald.common.Delivery;
import io.herald.common.Json;
import io.herald.dispatcher.delivery.DeliveryConsumer;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The outcome paths of one delivery record, fast, with {@code herald.deliveries} in memory instead of on the broker:
 * every record ends acknowledged (its outcome durable: delivered, dead letter, or after quick retries) or, when it
 * cannot be read, negatively acknowledged with the reason; never neither. The real-broker tests (NeverStallTest,
 * FailureHandlingTest, the fault suite) cover offsets, parking and rebalances.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(OutcomePathsTest.DeliveriesInMemory.class)
class OutcomePathsTest {

    /** Only the deliveries channel moves to memory; the dead-letter and change topics stay on the broker. */
    public static class DeliveriesInMemory implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            return InMemoryConnector.switchIncomingChannelsToInMemory(DeliveryConsumer.CHANNEL);
        }

        @Override
        public void stop() {
            InMemoryConnector.clear();
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static WireMockServer homeserver;

    @Inject
    @Any
    InMemoryConnector connector;

    @BeforeAll
    static void start() {
        homeserver = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        homeserver.start();
    }

    @AfterAll
    static void stop() {
        homeserver.stop();
    }

    /** How a record ended: acknowledged, or negatively acknowledged with a reason. */
    record Ending(boolean acked, Throwable reason) {
    }

    private CompletableFuture<Ending> send(byte[] payload) {
        CompletableFuture<Ending> ending = new CompletableFuture<>();
        connector.source(DeliveryConsumer.CHANNEL).send(Message.of(payload)
                .withAck(() -> {
                    ending.complete(new Ending(true, null));
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(reason -> {
                    ending.complete(new Ending(false, reason));
                    return CompletableFuture.completedFuture(null);
                }));
        return ending;
    }

    private Ending endingOf(Delivery delivery) throws Exception {
        return send(Json.encode(delivery).getBytes(StandardCharsets.UTF_8)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aDeliveredRecordIsAcknowledgedOnceItsOutcomeIsLogged() throws Exception {
        String room = room();
        homeserver.stubFor(put(urlPathMatching(sendsTo(room))).willReturn(okJson("{\"event_id\":\"$ok\"}")));
        Delivery d = delivery(account("mem", homeserver.baseUrl(), ""), room, "mem");

        Ending ending = endingOf(d);

        assertThat(ending.acked()).isTrue();
        Auth.admin().get("/v1/deliveries/" + d.id()).then().statusCode(200)
                .body("state", equalTo("delivered")).body("matrix_event_id", equalTo("$ok"));
    }

    @Test
    void aRefusedRecordIsAcknowledgedAsADeadLetterWithTheReason() throws Exception {
        String room = room();
        homeserver.stubFor(put(urlPathMatching(sendsTo(room))).willReturn(aResponse().withStatus(403)
                .withBody("{\"errcode\":\"M_FORBIDDEN\",\"error\":\"not in room\"}")));
        Delivery d = delivery(account("mem", homeserver.baseUrl(), ""), room, "mem");

        Ending ending = endingOf(d);

        assertThat(ending.acked()).isTrue();
        Auth.admin().get("/v1/deliveries/" + d.id()).then().statusCode(200)
                .body("state", equalTo("dead")).body("last_status", equalTo(403));
        Auth.admin().get("/v1/dead-letters/" + d.id()).then().statusCode(200);
    }

    @Test
    void aTransientFailureIsRetriedQuicklyAndTheRecordAcknowledgedOnceDelivered() throws Exception {
        String room = room();
        String scenario = "transient-" + room;
        homeserver.stubFor(put(urlPathMatching(sendsTo(room))).inScenario(scenario)
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(502).withHeader("Content-Type", "text/html")
                        .withBody("<html>bad gateway</html>"))
                .willSetStateTo("up"));
        homeserver.stubFor(put(urlPathMatching(sendsTo(room))).inScenario(scenario).whenScenarioStateIs("up")
                .willReturn(okJson("{\"event_id\":\"$again\"}")));
        Delivery d = delivery(account("mem", homeserver.baseUrl(), ""), room, "mem");

        Ending ending = endingOf(d);

        assertThat(ending.acked()).isTrue();
        Auth.admin().get("/v1/deliveries/" + d.id()).then().statusCode(200)
                .body("state", equalTo("delivered")).body("attempts", equalTo(2));
        homeserver.verify(2, putRequestedFor(urlPathMatching(sendsTo(room))));
    }

    @Test
    void anUnreadableRecordIsNegativelyAcknowledgedWithTheReasonAndNeverSent() throws Exception {
        Ending notJson = send("{not json".getBytes(StandardCharsets.UTF_8)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Delivery valid = delivery(account("mem", homeserver.baseUrl(), ""), room(), "mem");
        String overLong = Json.encode(valid).replace(valid.id(), "x".repeat(300));
        Ending tooLong = send(overLong.getBytes(StandardCharsets.UTF_8)).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(notJson.acked()).isFalse();
        assertThat(notJson.reason()).isNotNull();
        assertThat(tooLong.acked()).isFalse();
        assertThat(tooLong.reason().getMessage()).contains("id");
    }

    @Test
    void anUnknownAccountIsADeadLetterNotARetry() throws Exception {
        Delivery d = delivery("no-such-account-" + UUID.randomUUID().toString().substring(0, 8), room(), "mem");

        Ending ending = endingOf(d);

        assertThat(ending.acked()).isTrue();
        await().atMost(WAIT).untilAsserted(() -> Auth.admin().get("/v1/deliveries/" + d.id()).then().statusCode(200)
                .body("state", equalTo("dead")));
    }

}

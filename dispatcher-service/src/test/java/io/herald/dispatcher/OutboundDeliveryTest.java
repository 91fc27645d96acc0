package io.herald.dispatcher;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.herald.dispatcher.outbound.ScriptedResolver.ip;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.MatrixEvent;
import io.herald.common.Topics;
import io.herald.dispatcher.outbound.ScriptedResolver;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Room sends and pushes go to the address the outbound guard checked. The host names here exist only in the test's
 * DNS ({@link ScriptedResolver}): a request that looked its name up again, past the guard, could not connect.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class OutboundDeliveryTest {

    private static WireMockServer peer;

    @Inject
    ScriptedResolver dns;

    @BeforeAll
    static void start() {
        peer = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        peer.start();
    }

    @AfterAll
    static void stop() {
        peer.stop();
    }

    @Test
    void aRoomSendGoesToTheCheckedAddressWithTheHomeserversNameAsHost() {
        String host = "hs-" + UUID.randomUUID().toString().substring(0, 8) + ".herald.test";
        dns.answer(host, ip("127.0.0.1"));
        String account = Deliveries.account("pinned", "http://" + host + ":" + peer.port(), "");
        String room = Deliveries.room();
        peer.stubFor(put(urlPathMatching(Deliveries.sendsTo(room))).willReturn(okJson("{\"event_id\":\"$pinned\"}")));
        Delivery delivery = Deliveries.delivery(account, room, "ops");

        Deliveries.produce(delivery);

        Deliveries.awaitState(delivery.id(), "delivered");
        LoggedRequest send = peer.findAll(putRequestedFor(urlPathMatching(Deliveries.sendsTo(room)))).get(0);
        assertThat(send.getHeader("Host")).isEqualTo(host + ":" + peer.port());
        assertThat(dns.lookups(host)).isPositive();
    }

    @Test
    void aPushGoesToTheCheckedAddressWithTheGatewaysNameAsHost() {
        String host = "gw-" + UUID.randomUUID().toString().substring(0, 8) + ".herald.test";
        dns.answer(host, ip("127.0.0.1"));
        String path = "/" + host + "/_matrix/push/v1/notify";
        peer.stubFor(post(urlEqualTo(path)).willReturn(okJson("{\"rejected\":[]}")));
        Delivery delivery = push("http://" + host + ":" + peer.port() + path, Instant.now().plusSeconds(3600));

        Deliveries.produce(delivery);

        Deliveries.awaitState(delivery.id(), "delivered");
        assertThat(peer.findAll(postRequestedFor(urlEqualTo(path)))).extracting(r -> r.getHeader("Host"))
                .containsOnly(host + ":" + peer.port());
    }

    @Test
    void aPusherWhoseNameDoesNotResolveIsRetriedWithoutACallUntilItsDeadline() {
        String host = "gone-" + UUID.randomUUID().toString().substring(0, 8) + ".herald.test";
        dns.unknown(host);
        Delivery delivery = push("http://" + host + "/_matrix/push/v1/notify", Instant.now().plusSeconds(2));

        Deliveries.produce(delivery);

        String reason = KafkaRecords.header(KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.DELIVERIES_DLQ,
                r -> r.value() != null && r.value().contains(delivery.id()), 1, Deliveries.WAIT).get(0),
                "dead-letter-reason");
        assertThat(reason).contains("gave up at the deadline").contains("the pusher URL's host name does not resolve");
        assertThat(dns.lookups(host)).isPositive();
    }

    private static Delivery push(String url, Instant deadline) {
        Destination destination = Destination.pusher(new Destination.Pusher(url, "org.example.app",
                "key-" + UUID.randomUUID(), null, null, Map.of()));
        String notificationId = UUID.randomUUID().toString();
        Instant now = Instant.now();
        return new Delivery(Delivery.idFor(notificationId, destination), notificationId, "ops", destination,
                MatrixEvent.message("@a:example.org", Map.of("msgtype", "m.text", "body", "x")), Map.of(), "high", 0,
                deadline, now, "tenant-a", now);
    }
}

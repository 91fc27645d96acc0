package io.herald.dispatcher;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.atlassian.oai.validator.model.Request;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.PushContext;
import io.herald.common.RejectedPusher;
import io.herald.common.Topics;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.MatrixSpec;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dispatcher against WireMock playing a push gateway (Sygnal-like). */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class PushGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static WireMockServer gateway;

    @BeforeAll
    static void startGateway() {
        gateway = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        gateway.start();
    }

    @AfterAll
    static void stopGateway() {
        gateway.stop();
    }

    @Test
    void aPushIsPostedWithDeviceTweaksAndPrioAndValidatesAgainstTheSpec() {
        String path = stub(okJson("{\"rejected\":[]}"));
        Delivery delivery = delivery(path, "key-" + UUID.randomUUID(), null);

        produce(delivery);

        LoggedRequest request = awaitPosts(path, 1).get(0);
        Map<?, ?> notification = (Map<?, ?>) Json.decode(request.getBodyAsString(), Map.class).get("notification");
        assertThat(notification.get("prio")).isEqualTo("high");
        assertThat(notification.get("type")).isEqualTo("m.room.message");
        assertThat(notification.get("sender")).isEqualTo("@alertmanager:example.org");
        assertThat(notification.get("content")).isEqualTo(delivery.event().content());
        assertThat(notification.get("counts")).isEqualTo(Map.of("unread", 1));
        Map<?, ?> device = (Map<?, ?>) ((List<?>) notification.get("devices")).get(0);
        assertThat(device.get("app_id")).isEqualTo("org.example.app");
        assertThat(device.get("pushkey")).isEqualTo(delivery.destination().pusher().pushkey());
        assertThat(device.get("tweaks")).isEqualTo(Map.of("sound", "default", "highlight", true));
        assertThat(device.get("data")).isEqualTo(Map.of("format", "full", "custom", "x")); // without "url"
        assertThat(MatrixSpec.validateRequest(MatrixSpec.PUSH_NOTIFY, Request.Method.POST, "/_matrix/push/v1/notify",
                Map.of(), request.getBodyAsString()).getMessages()).isEmpty();
        awaitLogState(delivery.id(), "delivered");
    }

    @Test
    void aPushCarriesTheNamesCountsAndMembershipAsSynapseSendsThem() {
        String path = stub(okJson("{\"rejected\":[]}"));
        Delivery base = delivery(path, "key-" + UUID.randomUUID(), null);
        MatrixEvent invite = new MatrixEvent("m.room.member", "@bob:example.org",
                Map.of("membership", "invite", "displayname", "Alice"), "@alice:example.org", "$invite1",
                "!room:example.org", 1700000000123L, null);
        Delivery delivery = withPush(base, invite, Map.of(), "low",
                new PushContext("Bob", "Ops", "#ops:example.org", true, 3, 1, null, false, ".m.rule.invite_for_me"))
                .acceptedBy("key_push_test");

        produce(delivery);

        String body = awaitPosts(path, 1).get(0).getBodyAsString();
        assertThat(MatrixSpec.validateRequest(MatrixSpec.PUSH_NOTIFY, Request.Method.POST, "/_matrix/push/v1/notify",
                Map.of(), body).getMessages()).isEmpty();
        Map<String, Object> notification = notificationOf(body);
        assertThat(notification).containsEntry("event_id", "$invite1").containsEntry("room_id", "!room:example.org")
                .containsEntry("type", "m.room.member").containsEntry("sender", "@bob:example.org")
                .containsEntry("membership", "invite").containsEntry("user_is_target", true)
                .containsEntry("sender_display_name", "Bob").containsEntry("room_name", "Ops")
                .containsEntry("room_alias", "#ops:example.org").containsEntry("prio", "low")
                .containsEntry("counts", Map.of("unread", 3, "missed_calls", 1));
        Map<?, ?> device = (Map<?, ?>) ((List<?>) notification.get("devices")).get(0);
        assertThat(device.get("pushkey_ts")).as("seconds, as the spec says").isEqualTo(1700000000);
        assertThat(device.containsKey("tweaks")).as("no tweaks: the rule set none").isFalse();
        assertThat(notification).as("the rule is Herald's own business").doesNotContainKey("rule_id");
        // the delivery log keeps why it was pushed
        awaitLogState(delivery.id(), "delivered");
        assertThat(Auth.admin().get("/v1/deliveries/" + delivery.id()).path("rule_id").toString())
                .isEqualTo(".m.rule.invite_for_me");
        // and which API key accepted the notification, which the gateway never sees
        assertThat(Auth.admin().get("/v1/deliveries/" + delivery.id()).path("accepted_by").toString())
                .isEqualTo("key_push_test");
        assertThat(body).doesNotContain("key_push_test");
    }

    @Test
    void aBadgeUpdateHasOnlyTheCounts() {
        String path = stub(okJson("{\"rejected\":[]}"));
        Delivery delivery = withPush(delivery(path, "key-" + UUID.randomUUID(), null),
                new MatrixEvent(MatrixEvent.RECEIPT, "@alice:example.org", Map.of(), null, null, "!room:example.org",
                        null, null), Map.of(), "low", PushContext.badge(0, 0));

        produce(delivery);

        String body = awaitPosts(path, 1).get(0).getBodyAsString();
        assertThat(MatrixSpec.validateRequest(MatrixSpec.PUSH_NOTIFY, Request.Method.POST, "/_matrix/push/v1/notify",
                Map.of(), body).getMessages()).isEmpty();
        Map<String, Object> notification = notificationOf(body);
        // exactly Synapse's badge update: {"id": "", "type": null, "sender": "", "counts": {"unread": 0}, devices}
        assertThat(notification).containsOnlyKeys("id", "type", "sender", "counts", "devices")
                .containsEntry("id", "").containsEntry("type", null).containsEntry("sender", "")
                .containsEntry("counts", Map.of("unread", 0));
        assertThat(((Map<?, ?>) ((List<?>) notification.get("devices")).get(0)).containsKey("tweaks")).isFalse();
    }

    @Test
    void aPushOfANotificationPostedIntoARoomWaitsForTheEventIdTheHomeserverAnswered() throws Exception {
        String path = stub(okJson("{\"rejected\":[]}"));
        String roomDelivery = UUID.randomUUID().toString();
        Delivery base = delivery(path, "key-" + UUID.randomUUID(), "event_id_only");
        Delivery delivery = withPush(base, base.event().in("!linked:example.org", null), base.tweaks(), "high",
                new PushContext(null, null, null, null, 1, null, roomDelivery, false));

        produce(delivery);
        // the room delivery has not happened: the push waits
        await().atMost(WAIT).until(() -> Auth.admin().get("/v1/deliveries/" + delivery.id()).statusCode() == 200);
        assertThat(gateway.findAll(postRequestedFor(urlEqualTo(path)))).isEmpty();
        Thread.sleep(1500); // it looks again every 250 ms meanwhile

        logRoomDelivery(roomDelivery, "delivered", "$posted:example.org");
        Map<String, Object> notification = notificationOf(awaitPosts(path, 1).get(0).getBodyAsString());
        assertThat(notification).containsEntry("event_id", "$posted:example.org")
                .containsEntry("room_id", "!linked:example.org").doesNotContainKeys("content", "type");
        awaitLogState(delivery.id(), "delivered");
        // however often it looked, its attempts hold one wait (no failure, no backoff), then the push
        assertThat(Auth.admin().get("/v1/deliveries/" + delivery.id()).jsonPath().getList("history.outcome"))
                .containsExactly("waiting", "delivered");

        // a room delivery that died: the person is still told, without an event id and with the full content
        String deadRoom = UUID.randomUUID().toString();
        logRoomDelivery(deadRoom, "dead", null);
        Delivery orphan = withPush(delivery(path, "key-" + UUID.randomUUID(), null),
                base.event().in("!linked:example.org", null), Map.of(), "low",
                new PushContext(null, null, null, null, 1, null, deadRoom, false));
        produce(orphan);
        Map<String, Object> told = notificationOf(awaitPosts(path, 2).get(1).getBodyAsString());
        assertThat(told).doesNotContainKey("event_id").containsKey("content");
        awaitLogState(orphan.id(), "delivered");
    }

    @Inject
    javax.sql.DataSource dataSource;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> notificationOf(String body) {
        return (Map<String, Object>) Json.decode(body, Map.class).get("notification");
    }

    private void logRoomDelivery(String id, String state, String eventId) throws Exception {
        try (var c = dataSource.getConnection(); var st = c.prepareStatement("INSERT INTO dispatcher.delivery_log"
                + " (delivery_id, destination, state, attempts, matrix_event_id) VALUES (?, 'room:bot:!linked', ?, 1, ?)")) {
            st.setString(1, id);
            st.setString(2, state);
            st.setString(3, eventId);
            st.executeUpdate();
        }
    }

    private static Delivery withPush(Delivery d, MatrixEvent event, Map<String, Object> tweaks, String priority,
            PushContext push) {
        return new Delivery(d.id(), d.notificationId(), d.room(), d.destination(), event, tweaks, priority, 0,
                d.deadline(), d.createdAt(), null, d.createdAt(), push);
    }

    @Test
    void eventIdOnlyPushersGetNoEventContent() {
        String path = stub(okJson("{\"rejected\":[]}"));
        Delivery delivery = delivery(path, "key-" + UUID.randomUUID(), "event_id_only");

        produce(delivery);

        @SuppressWarnings("unchecked")
        Map<String, Object> notification = (Map<String, Object>) Json.decode(awaitPosts(path, 1).get(0).getBodyAsString(),
                Map.class).get("notification");
        assertThat(notification).doesNotContainKeys("content", "sender", "type").containsKeys("devices", "prio");
        // and no tweaks, as Synapse sends them (the app decides how to show the event once it fetched it)
        assertThat(((Map<?, ?>) ((List<?>) notification.get("devices")).get(0)).containsKey("tweaks")).isFalse();
    }

    @Test
    void aRejectedPushkeyIsNeverRetriedAndIsReportedForRemoval() {
        String pushkey = "key-" + UUID.randomUUID();
        String path = stub(okJson("{\"rejected\":[\"" + pushkey + "\"]}"));
        Delivery delivery = delivery(path, pushkey, null);

        produce(delivery);

        ConsumerRecord<String, String> record = KafkaRecords.await(KafkaRecords.bootstrapServers(),
                Topics.PUSHERS_REJECTED, r -> r.value().contains(pushkey), 1, WAIT).get(0);
        RejectedPusher rejected = Json.decode(record.value(), RejectedPusher.class);
        assertThat(rejected.appId()).isEqualTo("org.example.app");
        assertThat(rejected.pushkey()).isEqualTo(pushkey);
        assertThat(rejected.deliveryId()).isEqualTo(delivery.id());
        awaitLogState(delivery.id(), "rejected");
        assertThat(gateway.findAll(postRequestedFor(urlEqualTo(path)))).hasSize(1);
    }

    @Test
    void aPusherPointingIntoThePrivateNetworkIsDeadLetteredWithoutACall() {
        Destination destination = Destination.pusher(new Destination.Pusher("http://169.254.169.254/_matrix/push/v1/notify",
                "org.example.app", "key-" + UUID.randomUUID(), null, null, Map.of()));
        Delivery delivery = new Delivery(UUID.randomUUID().toString(), "n", "ops", destination,
                MatrixEvent.message("@a:example.org", Map.of("body", "x")), Map.of(), "low", 0, null, Instant.now());

        produce(delivery);

        ConsumerRecord<String, String> dead = KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.DELIVERIES_DLQ,
                r -> r.value() != null && r.value().contains(delivery.id()), 1, WAIT).get(0);
        // refused, without naming the address: tenants read dead letters (the log has it)
        assertThat(KafkaRecords.header(dead, "dead-letter-reason"))
                .contains("the pusher URL is refused: its host resolves to an address Herald may not call")
                .doesNotContain("169.254");
    }

    private static String stub(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer) {
        String path = "/gw-" + UUID.randomUUID() + "/_matrix/push/v1/notify";
        gateway.stubFor(post(urlEqualTo(path)).willReturn(answer));
        return path;
    }

    private static Delivery delivery(String path, String pushkey, String format) {
        Destination destination = Destination.pusher(new Destination.Pusher(gateway.baseUrl() + path,
                "org.example.app", pushkey, 1700000000000L, format,
                format == null ? Map.of("url", gateway.baseUrl() + path, "format", "full", "custom", "x")
                        : Map.of("url", gateway.baseUrl() + path, "format", format)));
        String notificationId = UUID.randomUUID().toString();
        return new Delivery(Delivery.idFor(notificationId, destination), notificationId, "ops", destination,
                new MatrixEvent("m.room.message", "@alertmanager:example.org",
                        Map.of("msgtype", "m.text", "body", "CPU high"), null, "$event1"),
                Map.of("sound", "default", "highlight", true), "high", 0, Instant.now().plus(Duration.ofHours(1)),
                Instant.now());
    }

    private static void produce(Delivery delivery) {
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.DELIVERIES, delivery.destination().key(),
                Json.encode(delivery));
    }

    private static List<LoggedRequest> awaitPosts(String path, int count) {
        await().atMost(WAIT).until(() -> gateway.findAll(postRequestedFor(urlEqualTo(path))).size() >= count);
        return gateway.findAll(postRequestedFor(urlEqualTo(path)));
    }

    private static void awaitLogState(String deliveryId, String state) {
        await().atMost(WAIT).until(() -> Auth.admin().get("/v1/deliveries/" + deliveryId).statusCode() == 200
                && state.equals(Auth.admin().get("/v1/deliveries/" + deliveryId).path("state")));
    }
}

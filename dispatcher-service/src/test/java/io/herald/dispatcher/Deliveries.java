package io.herald.dispatcher;

import static org.awaitility.Awaitility.await;

import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.Topics;
import io.herald.testsupport.KafkaRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** What the dispatcher's tests share: accounts, rooms, deliveries on the real broker, and waiting for their state. */
final class Deliveries {

    static final Duration WAIT = Duration.ofSeconds(60);

    private Deliveries() {
    }

    /** An account on {@code homeserver} with token {@code token-<id>}; {@code extra}: more JSON fields, or "". */
    static String account(String prefix, String homeserver, String extra) {
        String id = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Auth.admin().contentType("application/json").body("{\"id\":\"" + id + "\",\"homeserver\":\"" + homeserver
                + "\",\"access_token\":\"token-" + id + "\"" + extra + "}").post("/v1/matrix-accounts").then().statusCode(201);
        return id;
    }

    static String room() {
        return "!" + UUID.randomUUID().toString().substring(0, 12) + ":example.org";
    }

    /** The WireMock URL pattern of sends into a room. */
    static String sendsTo(String roomId) {
        return "/_matrix/client/v3/rooms/" + roomId.replace("!", "%21").replace(":", "%3A") + "/send/.*";
    }

    static Delivery delivery(String account, String roomId, String roomKey) {
        Destination destination = Destination.room(account, roomId);
        String notificationId = UUID.randomUUID().toString();
        Instant now = Instant.now();
        return new Delivery(Delivery.idFor(notificationId, destination), notificationId, roomKey, destination,
                MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", "n " + notificationId)),
                Map.of(), "high", 0, now.plus(Duration.ofHours(24)), now, "tenant-a", now);
    }

    static void produce(Delivery delivery) {
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.DELIVERIES, delivery.destination().key(),
                Json.encode(delivery));
    }

    static String state(String deliveryId) {
        var response = Auth.admin().get("/v1/deliveries/" + deliveryId);
        return response.statusCode() == 200 ? response.path("state") : null;
    }

    static void awaitState(String deliveryId, String state) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> state.equals(state(deliveryId)));
    }

    /** The txnId's delivery id in a send URL ({@code .../send/m.room.message/herald-<id>}). */
    static String deliveryIdOf(String url) {
        return url.substring(url.lastIndexOf("/herald-") + 8);
    }
}

package io.herald.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContractsTest {

    @Test
    void deliveryIdIsDeterministicPerNotificationAndDestination() {
        Destination ops = Destination.room("bot", "!ops:example.org");
        Destination dev = Destination.room("bot", "!dev:example.org");

        assertThat(Delivery.idFor("n1", ops)).isEqualTo(Delivery.idFor("n1", ops));
        assertThat(Delivery.idFor("n1", ops)).isNotEqualTo(Delivery.idFor("n1", dev));
        assertThat(Delivery.idFor("n1", ops)).isNotEqualTo(Delivery.idFor("n2", ops));
    }

    @Test
    void notificationRoundTripsInSnakeCase() {
        NotificationEvent n = new NotificationEvent("n1", "ops",
                MatrixEvent.message("@herald:example.org", Map.of("msgtype", "m.text", "body", "hi")),
                Instant.parse("2026-11-22T10:00:00Z"), "http");

        String json = Json.encode(n);

        assertThat(json).contains("\"received_at\":\"2026-11-22T10:00:00Z\"").doesNotContain("state_key");
        assertThat(Json.decodeNotification(json)).isEqualTo(n);
    }

    @Test
    void unreadableOrIncompleteRecordsAreInvalidWithAReason() {
        assertThatThrownBy(() -> Json.decodeNotification("\u0000\u0001garbage"))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("not a valid NotificationEvent");
        assertThatThrownBy(() -> Json.decodeNotification("null"))
                .isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> Json.decodeNotification("{\"id\":\"n1\",\"event\":{\"type\":\"m.room.message\"}}"))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("'room' is required")
                .hasMessageContaining("'event.content' must be an object");
        assertThatThrownBy(() -> Json.decodeNotification("{\"id\":\"n1\",\"room\":\"ops\",\"event\":[1]}"))
                .isInstanceOf(InvalidRecordException.class);
    }

    @Test
    void deliveryNeedsExactlyOneDestination() {
        MatrixEvent e = MatrixEvent.message("@a:b", Map.of("body", "x"));
        Delivery both = new Delivery("d", "n", "ops",
                new Destination(new Destination.MatrixRoom("bot", "!r:x"),
                        new Destination.Pusher("https://gw/_matrix/push/v1/notify", "app", "key", null, null, null)),
                e, Map.of(), "high", 0, null, null);

        assertThatThrownBy(both::validate).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("exactly one");
        Delivery ok = new Delivery("d", "n", "ops", Destination.room("bot", "!r:x"), e, Map.of(), "high", 0, null, null);
        assertThat(Json.decodeDelivery(Json.encode(ok))).isEqualTo(ok);
        assertThat(ok.txnId()).isEqualTo("herald-d");
    }
}

package io.herald.ingest.notification;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IntakeSpansTest {

    @Test
    void aSpanIsNamedByItsRouteNeverByARoomOrAWebhookName() {
        assertThat(IntakeSpans.route("/v1/rooms/ops/notifications")).isEqualTo("/v1/rooms/{room}/notifications");
        assertThat(IntakeSpans.route("/v1/rooms/nas-1/send")).isEqualTo("/v1/rooms/{room}/send");
        assertThat(IntakeSpans.route("/v1/rooms/ops/events")).isEqualTo("/v1/rooms/{room}/events");
        assertThat(IntakeSpans.route("/v1/rooms/ops/webhooks/alertmanager"))
                .isEqualTo("/v1/rooms/{room}/webhooks/alertmanager");
        assertThat(IntakeSpans.route("/v1/rooms/ops/webhooks/grafana")).isEqualTo("/v1/rooms/{room}/webhooks/{name}");
        assertThat(IntakeSpans.route("/v1/rooms/ops/queue/flush")).isEqualTo("/v1/rooms/{room}/queue/flush");
        assertThat(IntakeSpans.route("/v1/rooms/ops/anything/else")).isEqualTo("/v1/rooms/{room}/*");
        assertThat(IntakeSpans.route("/v1/rooms/ops")).isEqualTo("/v1/rooms/{room}");
    }
}

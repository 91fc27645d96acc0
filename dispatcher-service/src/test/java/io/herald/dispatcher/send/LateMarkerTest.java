package io.herald.dispatcher.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The late marker at its boundary and its wording. */
class LateMarkerTest {

    private static final Instant ACCEPTED = Instant.parse("2026-12-03T14:02:30Z");
    private static final Duration LATE_AFTER = Duration.ofMinutes(5);
    private static final Map<String, Object> CONTENT = Map.of("msgtype", "m.text", "body", "disk full",
            "format", "org.matrix.custom.html", "formatted_body", "disk <b>full</b>");

    @Test
    void exactlyLateAfterIsOnTimeAndOneSecondMoreIsLate() {
        assertThat(LateMarker.mark("m.room.message", CONTENT, ACCEPTED, ACCEPTED.plus(LATE_AFTER), LATE_AFTER))
                .isSameAs(CONTENT);
        Map<String, Object> late = LateMarker.mark("m.room.message", CONTENT, ACCEPTED,
                ACCEPTED.plus(LATE_AFTER).plusSeconds(1), LATE_AFTER);
        assertThat(late).containsEntry("body", "disk full\n\nqueued since 14:02 UTC (5 min late)")
                .containsEntry("formatted_body", "disk <b>full</b><br><br><em>queued since 14:02 UTC (5 min late)</em>");
    }

    @Test
    void hoursDaysAndTheDateWhenItWasAnotherDay() {
        assertThat(LateMarker.text(ACCEPTED, ACCEPTED.plus(Duration.ofMinutes(192)))).isEqualTo(
                "queued since 14:02 UTC (3 h 12 min late)");
        assertThat(LateMarker.text(ACCEPTED, ACCEPTED.plus(Duration.ofHours(3)))).isEqualTo(
                "queued since 14:02 UTC (3 h late)");
        assertThat(LateMarker.text(ACCEPTED, ACCEPTED.plus(Duration.ofHours(26)))).isEqualTo(
                "queued since 2026-12-03 14:02 UTC (1 d 2 h late)");
    }

    @Test
    void onlyMessagesWithATextBodyAreMarkedAndAnEditsNewContentToo() {
        Instant now = ACCEPTED.plus(Duration.ofHours(1));
        assertThat(LateMarker.mark("m.room.redaction", Map.of("reason", "x"), ACCEPTED, now, LATE_AFTER))
                .isEqualTo(Map.of("reason", "x"));
        assertThat(LateMarker.mark("m.room.message", CONTENT, null, now, LATE_AFTER)).isSameAs(CONTENT);
        Map<String, Object> edit = LateMarker.mark("m.room.message", Map.of("msgtype", "m.text", "body", "* ok",
                "m.new_content", Map.of("msgtype", "m.text", "body", "ok")), ACCEPTED, now, LATE_AFTER);
        assertThat(edit.get("m.new_content")).isEqualTo(Map.of("msgtype", "m.text",
                "body", "ok\n\nqueued since 14:02 UTC (1 h late)"));
    }
}

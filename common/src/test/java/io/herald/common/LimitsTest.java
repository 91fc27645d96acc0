package io.herald.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.changes.ChangeEvent;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitsTest {

    private static NotificationEvent notification(String id, String room, MatrixEvent event) {
        return new NotificationEvent(id, room, event, Instant.parse("2026-12-03T10:00:00Z"), "test");
    }

    private static MatrixEvent message(String body) {
        return MatrixEvent.message("@nas:example.org", Map.of("msgtype", "m.text", "body", body));
    }

    @Test
    void aValidNotificationHasNoViolations() {
        NotificationEvent n = notification("x".repeat(255), "r".repeat(128), message("fine"));

        assertThat(n.violations()).isEmpty();
    }

    @Test
    void idsOver255CharactersOrWithControlCharactersAreRefusedNamingTheField() {
        assertThatThrownBy(() -> notification("x".repeat(256), "ops", message("hi")).validate())
                .isInstanceOf(InvalidRecordException.class)
                .hasMessage("'id' must be at most 255 characters (has 256)");
        assertThatThrownBy(() -> notification("abc\u0000def", "ops", message("hi")).validate())
                .hasMessage("'id' must not contain control characters (U+0000 at index 3)");
        assertThat(notification("line\nbreak", "ops", message("hi")).violations())
                .extracting(Limits.Violation::field).containsExactly("id");
        assertThat(notification("lone \ud800 surrogate", "ops", message("hi")).violations())
                .extracting(Limits.Violation::field).containsExactly("id");
        assertThat(notification("emoji \ud83d\udd25 ok", "ops", message("hi")).violations()).isEmpty();
    }

    @Test
    void eachMatrixFieldIsCheckedAgainstTheSpecsLimits() {
        MatrixEvent bad = new MatrixEvent("t".repeat(256), "not-a-user", null, "k\u0000", "$".repeat(256));

        assertThat(notification("n1", "ops/../x", bad).violations()).extracting(Limits.Violation::field)
                .containsExactly("room", "event.type", "event.sender", "event.content", "event.state_key",
                        "event.event_id");
        // 255 bytes, not characters: 128 two-byte characters are 256 bytes
        MatrixEvent wide = new MatrixEvent("é".repeat(128), null, Map.of(), null, null);
        assertThat(notification("n1", "ops", wide).violations()).singleElement()
                .satisfies(v -> assertThat(v.toString()).isEqualTo("'event.type' must be at most 255 bytes (has 256)"));
        MatrixEvent longSender = MatrixEvent.message("@" + "a".repeat(250) + ":example.org", Map.of());
        assertThat(notification("n1", "ops", longSender).violations()).extracting(Limits.Violation::field)
                .containsExactly("event.sender");
    }

    @Test
    void anEventOver64KibAsJsonIsRefused() {
        NotificationEvent atLimit = notification("n1", "ops", message("x".repeat(65_000)));
        NotificationEvent over = notification("n1", "ops", message("\u0001".repeat(11_000))); // \u0001 is 6 bytes

        assertThat(atLimit.violations()).isEmpty();
        assertThat(over.violations()).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("event");
            assertThat(v.message()).contains("65536 bytes").contains("has 66");
        });
        assertThat(Limits.encodedSize(Map.of("a", "é"))).isEqualTo(Json.encode(Map.of("a", "é")).getBytes(
                java.nio.charset.StandardCharsets.UTF_8).length);
    }

    @Test
    void userIds() {
        assertThat(Limits.userIdProblem("@alice:example.org")).isNull();
        assertThat(Limits.userIdProblem("@alice:example.org:8448")).isNull();
        assertThat(Limits.userIdProblem("alice:example.org")).isNotNull();
        assertThat(Limits.userIdProblem("@alice example:org")).isNotNull();
        assertThat(Limits.userIdProblem("@al\u0000ice:example.org")).isNotNull();
        assertThat(Limits.userIdProblem("@" + "a".repeat(242) + ":example.org")).isNull(); // 255 bytes
        assertThat(Limits.userIdProblem("@" + "a".repeat(243) + ":example.org")).isNotNull();
    }

    @Test
    void changeEventsRoundTripAndUnknownKindsDecodeToNull() {
        ChangeEvent e = new ChangeEvent(ChangeEvent.Kind.API_KEY, "key_0123", Instant.parse("2026-12-03T10:00:00Z"),
                "ingest-1");

        String json = Json.encode(e);

        assertThat(json).isEqualTo("{\"kind\":\"api-key\",\"id\":\"key_0123\",\"changed_at\":\"2026-12-03T10:00:00Z\","
                + "\"origin\":\"ingest-1\"}");
        assertThat(e.key()).isEqualTo("api-key:key_0123");
        assertThat(Json.decode(json, ChangeEvent.class)).isEqualTo(e);
        assertThat(Json.decode("{\"kind\":\"tenant\",\"id\":\"t\"}", ChangeEvent.class).kind()).isNull();
    }
}

package io.herald.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FastInstantDeserializerTest {

    record Stamp(Instant at) {
    }

    @Test
    void readsWhatInstantToStringWritesExactlyAsInstantParse() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            // 1970..2400, with 0, 3, 6 or 9 fraction digits as Instant.toString() writes them
            Instant instant = Instant.ofEpochSecond(random.nextLong(0, 13_569_465_600L), switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            });
            String text = instant.toString();
            assertEquals(Instant.parse(text), FastInstantDeserializer.parse(text), text);
            assertEquals(instant, Json.decode("{\"at\":\"" + text + "\"}", Stamp.class).at(), text);
        }
    }

    @Test
    void leavesOtherFormsToJacksonsDeserializer() {
        assertNull(FastInstantDeserializer.parse("2026-11-22T07:35:17+01:00"));
        assertEquals(Instant.parse("2026-11-22T06:35:17Z"),
                Json.decode("{\"at\":\"2026-11-22T07:35:17+01:00\"}", Stamp.class).at());
        assertEquals(Instant.ofEpochSecond(1_700_000_000L), Json.decode("{\"at\":1700000000}", Stamp.class).at());
        assertEquals(Instant.parse("2026-11-22T07:35:17.5Z"),
                Json.decode("{\"at\":\"2026-11-22T07:35:17.5Z\"}".getBytes(), Stamp.class).at());
    }

    @Test
    void refusesImpossibleDatesLikeJacksonDoes() {
        // forms the fast path leaves to Jackson, whatever Jackson makes of them
        assertNull(FastInstantDeserializer.parse("2026-11-22T07:35:17.Z"));
        assertNull(FastInstantDeserializer.parse("2026-11-22T24:00:00Z"));
        for (String bad : new String[] {"2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-22T25:00:00Z",
                "2026-11-22T07:35:17.1234567890Z", "2026-11-2xT07:35:17Z"}) {
            assertNull(FastInstantDeserializer.parse(bad), bad);
            assertThrows(InvalidRecordException.class, () -> Json.decode("{\"at\":\"" + bad + "\"}", Stamp.class), bad);
        }
    }
}

package io.herald.common;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.regex.Pattern;

/**
 * The limits of Herald's record contract (docs/kafka-contract.md), in one place. Every value that a record carries
 * into PostgreSQL or to a homeserver is bounded here, so that a bad value is refused where it enters (400 at the
 * HTTP APIs, the dead-letter topic for records written to Kafka directly) instead of failing later, where it can
 * only be retried.
 *
 * <p>The checks return a problem message ({@code null} when the value is fine), worded to follow the field name:
 * {@code "'id' " + problem}.
 */
public final class Limits {

    /** Notification ids: at most this many characters (the delivery log's column), printable. */
    public static final int ID_MAX_CHARS = 255;
    /** Herald room keys: short, URL-, log- and Kafka-key-safe. */
    public static final String ROOM_KEY_PATTERN = "[A-Za-z0-9._~-]{1,128}";
    public static final String ROOM_KEY_MESSAGE = "must be 1-128 characters of A-Z a-z 0-9 . _ ~ -";
    /** Event types, state keys, event ids and user ids: at most 255 bytes of UTF-8 (Matrix spec, "Size limits"). */
    public static final int MATRIX_ID_MAX_BYTES = 255;
    /** A Matrix user id: {@code @localpart:server}, no whitespace or control characters (and at most 255 bytes). */
    public static final String USER_ID_PATTERN = "@[^:\\s\\p{Cc}]+:[^\\s\\p{Cc}]+";
    public static final String USER_ID_MESSAGE = "must be a Matrix user id like @alice:example.org (at most 255 bytes)";
    /** A Matrix event encoded as JSON (Matrix spec: 65536 bytes for the whole event). */
    public static final int EVENT_MAX_BYTES = 65_536;
    /** For bean validation of free text (display names): no control characters. */
    public static final String PRINTABLE_PATTERN = "\\P{Cc}*";
    /** Pushers ({@code /pushers/set}): app id and pushkey as the Matrix spec limits them. */
    public static final int APP_ID_MAX_CHARS = 64;
    public static final int PUSHKEY_MAX_BYTES = 512;
    /** Pusher gateway URLs: every delivery's destination key carries one (the dispatcher stores up to 4096). */
    public static final int PUSHER_URL_MAX_CHARS = 2048;
    /** A pusher's {@code data} as JSON: copied into every push delivery. */
    public static final int PUSHER_DATA_MAX_BYTES = 16_384;

    private static final Pattern ROOM_KEY = Pattern.compile(ROOM_KEY_PATTERN);
    private static final Pattern USER_ID = Pattern.compile(USER_ID_PATTERN);

    private Limits() {
    }

    /** One field that breaks the contract: {@code field} as the record (or request) names it. */
    public record Violation(String field, String message) {
        @Override
        public String toString() {
            return "'" + field + "' " + message;
        }
    }

    /** A notification id: present, at most {@value #ID_MAX_CHARS} characters, no control characters. */
    public static String idProblem(String id) {
        if (id == null || id.isBlank()) {
            return "is required";
        }
        if (id.length() > ID_MAX_CHARS) {
            return "must be at most " + ID_MAX_CHARS + " characters (has " + id.length() + ")";
        }
        return unprintableProblem(id);
    }

    public static String roomKeyProblem(String room) {
        if (room == null || room.isEmpty()) {
            return "is required";
        }
        return ROOM_KEY.matcher(room).matches() ? null : ROOM_KEY_MESSAGE;
    }

    public static String userIdProblem(String userId) {
        if (userId == null || userId.isEmpty()) {
            return "is required";
        }
        if (utf8Length(userId) > MATRIX_ID_MAX_BYTES || !USER_ID.matcher(userId).matches()) {
            return USER_ID_MESSAGE;
        }
        return null;
    }

    /** An event type, state key or event id: at most 255 bytes, no control characters (may be empty). */
    public static String matrixStringProblem(String value) {
        if (value == null) {
            return "is required";
        }
        int bytes = utf8Length(value);
        if (bytes > MATRIX_ID_MAX_BYTES) {
            return "must be at most " + MATRIX_ID_MAX_BYTES + " bytes (has " + bytes + ")";
        }
        return unprintableProblem(value);
    }

    /** A string with neither control characters (NUL included) nor unpaired surrogates; else the problem. */
    public static String unprintableProblem(String value) {
        int at = firstUnprintable(value);
        return at < 0 ? null : String.format("must not contain control characters (U+%04X at index %d)",
                (int) value.charAt(at), at);
    }

    /** Index of the first control character or unpaired surrogate, or -1. */
    public static int firstUnprintable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                return i;
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** Length in UTF-8 bytes, without encoding. */
    public static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Adds a violation of {@code field} when there is a {@code problem} (null: none). */
    public static void add(java.util.List<Violation> problems, String field, String problem) {
        if (problem != null) {
            problems.add(new Violation(field, problem));
        }
    }

    /** A Matrix event over {@value #EVENT_MAX_BYTES} bytes as JSON: the problem, else null. */
    public static String eventSizeProblem(Object event) {
        long size = encodedSize(event);
        return size > EVENT_MAX_BYTES ? "must be at most " + EVENT_MAX_BYTES
                + " bytes as JSON, the size limit of a Matrix event (has " + size + ")" : null;
    }

    /** Size of {@code value} encoded by {@link Json}, in bytes (counted, not kept). */
    public static long encodedSize(Object value) {
        CountingStream out = new CountingStream();
        try {
            Json.MAPPER.writeValue(out, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.count;
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}

package io.herald.dispatcher.send;

import io.herald.common.MessageRenderer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Honest late delivery: a room message sent more than {@code herald.dispatcher.late-after} after its notification was
 * accepted gets a last line saying so, in {@code body} and (in italics) in {@code formatted_body}:
 * <pre>queued since 14:02 UTC (3 h 12 min late)</pre>
 * with the date when it was accepted on another day than it is sent ({@code queued since 2026-12-03 14:02 UTC (1 d 2 h
 * late)}). Lateness is counted in whole minutes ({@code 12 min}, {@code 3 h 12 min}, {@code 3 h}, {@code 1 d 2 h}).
 * Only {@code m.room.message} content with a text {@code body} is marked; of an edit, also its {@code m.new_content}.
 */
public final class LateMarker {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneOffset.UTC);

    private LateMarker() {
    }

    /** The content to send: {@code content} itself when on time, else a marked copy. */
    public static Map<String, Object> mark(String eventType, Map<String, Object> content, Instant acceptedAt,
            Instant now, Duration lateAfter) {
        if (acceptedAt == null || !"m.room.message".equals(eventType) || !(content.get("body") instanceof String)
                || Duration.between(acceptedAt, now).compareTo(lateAfter) <= 0) {
            return content;
        }
        String line = text(acceptedAt, now);
        Map<String, Object> marked = withLine(content, line);
        if (marked.get("m.new_content") instanceof Map<?, ?> inner) {
            @SuppressWarnings("unchecked")
            Map<String, Object> replacement = (Map<String, Object>) inner;
            marked.put("m.new_content", withLine(replacement, line));
        }
        return marked;
    }

    /** The line: "queued since 14:02 UTC (3 h 12 min late)". */
    public static String text(Instant acceptedAt, Instant now) {
        boolean sameDay = LocalDate.ofInstant(acceptedAt, ZoneOffset.UTC).equals(LocalDate.ofInstant(now, ZoneOffset.UTC));
        return "queued since " + (sameDay ? TIME : DATE_TIME).format(acceptedAt) + " UTC ("
                + lateness(Duration.between(acceptedAt, now)) + " late)";
    }

    static String lateness(Duration late) {
        long minutes = late.toMinutes();
        if (minutes < 60) {
            return minutes + " min";
        }
        long hours = minutes / 60;
        if (hours < 24) {
            return hours + " h" + (minutes % 60 == 0 ? "" : " " + minutes % 60 + " min");
        }
        return hours / 24 + " d" + (hours % 24 == 0 ? "" : " " + hours % 24 + " h");
    }

    private static Map<String, Object> withLine(Map<String, Object> content, String line) {
        Map<String, Object> marked = new LinkedHashMap<>(content);
        if (content.get("body") instanceof String body) {
            marked.put("body", body + "\n\n" + line);
        }
        if (content.get("formatted_body") instanceof String html) {
            marked.put("formatted_body", html + "<br><br><em>" + MessageRenderer.escapeHtml(line) + "</em>");
        }
        return marked;
    }
}

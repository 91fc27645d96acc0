package io.herald.common;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Edits and redactions of a notification already sent, as Herald carries them through the pipeline: a notification
 * whose event names the notification it changes under {@value #KEY} ({@code {"notification_id": …}}). The Matrix event
 * id of the original is only known to the dispatcher (its delivery log): it fills it in when it sends, and drops
 * {@value #KEY}.
 * <ul>
 * <li>an edit is an {@code m.room.message} whose content is an {@code m.replace} of the original: {@code m.new_content}
 * holds the new content, {@code body} / {@code formatted_body} the fallback ({@code * } and the new text),
 * {@code m.relates_to} {@code {"rel_type": "m.replace"}} (so push rules such as {@code .m.rule.suppress_edits} see an
 * edit) and an empty {@code m.mentions} (an edit pings nobody again);</li>
 * <li>a redaction is an {@code m.room.redaction} with an optional {@code reason}, sent with the redact endpoint.</li>
 * </ul>
 */
public final class Relations {

    /** The content key naming the notification an event edits or redacts. */
    public static final String KEY = "io.herald.relation";
    public static final String REDACTION = "m.room.redaction";

    private Relations() {
    }

    /** The notification the event edits or redacts, or null when it is neither. */
    public static String target(MatrixEvent event) {
        if (event == null || event.content() == null || !(event.content().get(KEY) instanceof Map<?, ?> relation)) {
            return null;
        }
        return relation.get("notification_id") instanceof String id ? id : null;
    }

    /** The content of an edit of {@code notificationId} to {@code newContent}. */
    public static Map<String, Object> replacement(String notificationId, Map<String, Object> newContent) {
        Map<String, Object> content = new LinkedHashMap<>();
        Object msgtype = newContent.get("msgtype");
        content.put("msgtype", msgtype == null ? "m.text" : msgtype);
        if (newContent.get("body") instanceof String body) {
            content.put("body", "* " + body);
        }
        if (newContent.get("formatted_body") instanceof String html) {
            content.put("format", newContent.get("format"));
            content.put("formatted_body", "* " + html);
        }
        content.put("m.new_content", new LinkedHashMap<>(newContent));
        content.put("m.mentions", Map.of());
        content.put("m.relates_to", new LinkedHashMap<>(Map.of("rel_type", "m.replace")));
        content.put(KEY, Map.of("notification_id", notificationId));
        return content;
    }

    /** The content of a redaction of {@code notificationId}. */
    public static Map<String, Object> redaction(String notificationId, String reason) {
        Map<String, Object> content = new LinkedHashMap<>();
        if (reason != null) {
            content.put("reason", reason);
        }
        content.put(KEY, Map.of("notification_id", notificationId));
        return content;
    }
}

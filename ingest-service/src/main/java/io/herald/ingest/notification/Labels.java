package io.herald.ingest.notification;

import io.herald.common.MatrixEvent;
import io.herald.common.MessageRenderer;
import io.herald.common.Relations;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An API key's label as the prefix of every message it sends ({@code nas1: Backup failed}), so a room can tell its
 * sources apart: on {@code body}, and on {@code formatted_body} (escaped, in bold) when there is one; on an edit's
 * {@code m.new_content} too. Events that are not {@code m.room.message} with a text body are left as they are.
 */
final class Labels {

    private Labels() {
    }

    static MatrixEvent apply(MatrixEvent event, String label) {
        if (label == null || !"m.room.message".equals(event.type()) || !(event.content().get("body") instanceof String)) {
            return event;
        }
        String edited = Relations.target(event);
        Map<String, Object> content;
        if (edited != null && event.content().get("m.new_content") instanceof Map<?, ?> replacement) {
            @SuppressWarnings("unchecked")
            Map<String, Object> inner = (Map<String, Object>) replacement;
            content = Relations.replacement(edited, prefixed(inner, label)); // the fallback follows the new content
        } else {
            content = prefixed(event.content(), label);
        }
        return new MatrixEvent(event.type(), event.sender(), content, event.stateKey(), event.eventId());
    }

    private static Map<String, Object> prefixed(Map<String, Object> original, String label) {
        Map<String, Object> content = new LinkedHashMap<>(original);
        if (content.get("body") instanceof String body) {
            content.put("body", label + ": " + body);
        }
        if (content.get("formatted_body") instanceof String html) {
            content.put("formatted_body", "<strong>" + MessageRenderer.escapeHtml(label) + ":</strong> " + html);
        }
        return content;
    }
}

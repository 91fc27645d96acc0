package io.herald.ingest.notification;

import io.herald.common.MessageRenderer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds m.room.message content from a notification's fields. */
public final class Contents {

    private Contents() {
    }

    public static Map<String, Object> message(String subject, String body, String link, boolean silent, boolean markdown,
            List<String> mentionedUsers, Boolean roomMention) {
        Map<String, Object> content = markdown ? MarkdownRenderer.render(subject, body, link, silent)
                : MessageRenderer.render(subject, body, link, silent);
        if (mentionedUsers != null || roomMention != null) {
            Map<String, Object> mentions = new LinkedHashMap<>();
            if (mentionedUsers != null && !mentionedUsers.isEmpty()) {
                mentions.put("user_ids", List.copyOf(mentionedUsers));
            }
            if (Boolean.TRUE.equals(roomMention)) {
                mentions.put("room", true);
            }
            content.put("m.mentions", mentions);
        }
        return content;
    }
}

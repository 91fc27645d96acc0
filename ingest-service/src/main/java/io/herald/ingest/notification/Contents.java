package io.herald.ingest.notification;

import io.herald.common.Limits;
import io.herald.common.MessageRenderer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds m.room.message content from a notification's fields. */
public final class Contents {

    /**
     * What the content of a webhook's event may take: a Matrix event's limit, less room for its type and sender (at most
     * 255 bytes each) and the JSON around them.
     */
    static final int WEBHOOK_CONTENT_MAX_BYTES = Limits.EVENT_MAX_BYTES - 1024;

    private Contents() {
    }

    /**
     * As {@link #message}, for webhooks, whose senders cannot shorten what they post: when the rendered content would
     * not fit into a Matrix event, the body is cut (and ends in …) until it does, rather than refusing the call.
     */
    public static Map<String, Object> fitted(String subject, String body, String link, boolean silent, boolean markdown) {
        String shown = body;
        while (true) {
            Map<String, Object> content = message(subject, shown, link, silent, markdown, null, null);
            long size = Limits.encodedSize(content);
            if (size <= WEBHOOK_CONTENT_MAX_BYTES || shown.length() <= 1) {
                return content;
            }
            // escaping makes the size grow faster than the text: aim a little below the proportional cut
            shown = truncate(shown, (int) (shown.length() * (WEBHOOK_CONTENT_MAX_BYTES * 0.9 / size)));
        }
    }

    /** At most {@code max} characters: cut, ending in …, never between the halves of a surrogate pair. */
    public static String truncate(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = Math.max(0, max - 1);
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "…";
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

package io.herald.ingest.template;

import io.herald.common.Limits;
import io.herald.ingest.notification.Contents;
import io.herald.ingest.notification.Priority;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A webhook's message made by its template: the m.room.message content (subject and body rendered as any notification,
 * or the template's own HTML; cut to fit a Matrix event like every webhook message) and its priority (null when the
 * template gives none, or something that is not a priority).
 */
public record Rendered(Map<String, Object> content, Priority priority) {

    /**
     * @param silent       null: as the priority says (min and low are m.notice), else this
     * @param fallbackBody the body when the template renders none
     */
    public static Rendered of(Templates.Compiled template, Map<String, Object> data, String link, Boolean silent,
            boolean markdown, boolean mayMentionRoom, String fallbackBody) {
        String name = template.source().name();
        String subject = Templates.render(template.subject(), data, name + " subject");
        String body = Templates.render(template.body(), data, name + " body");
        if (body.isEmpty()) {
            body = fallbackBody;
        }
        Priority priority = priority(Templates.render(template.priority(), data, name + " priority"));
        boolean quiet = silent != null ? silent : priority != null && priority.silent();
        Map<String, Object> content = Contents.fitted(Contents.truncate(subject.isEmpty() ? null : subject, 1024),
                Contents.truncate(body, 32768), link, quiet, markdown);
        String html = Templates.render(template.html(), data, name + " html");
        if (!html.isEmpty()) {
            Map<String, Object> withHtml = new LinkedHashMap<>(content);
            withHtml.put("format", "org.matrix.custom.html");
            withHtml.put("formatted_body", html);
            if (Limits.encodedSize(withHtml) <= Limits.EVENT_MAX_BYTES - 1024) {
                content = withHtml; // else the HTML made from the (cut) body stays
            }
        }
        Map<String, Object> mentions = mentions(Templates.render(template.mentions(), data, name + " mentions"),
                mayMentionRoom);
        if (!mentions.isEmpty()) {
            content = new LinkedHashMap<>(content);
            content.put("m.mentions", mentions);
        }
        return new Rendered(content, priority);
    }

    static Priority priority(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return Priority.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** User ids and {@code @room} (only for keys that may mention the room); anything else is left out. */
    static Map<String, Object> mentions(String text, boolean mayMentionRoom) {
        Map<String, Object> mentions = new LinkedHashMap<>();
        List<String> users = new ArrayList<>();
        for (String word : text.split("[\\s,]+")) {
            if (word.equals("@room")) {
                if (mayMentionRoom) {
                    mentions.put("room", true);
                }
            } else if (!word.isEmpty() && Limits.userIdProblem(word) == null && users.size() < 100
                    && !users.contains(word)) {
                users.add(word);
            }
        }
        if (!users.isEmpty()) {
            mentions.put("user_ids", users);
        }
        return mentions;
    }
}

package io.herald.ingest.notification;

import io.herald.common.Limits;
import io.herald.common.problem.Problem;
import io.herald.ingest.HttpProblemException;
import io.herald.ingest.notification.SendResource.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A one-line notification's fields, checked: the message (required), title, link, priority, tags, markdown, silent.
 * Every problem is reported at once, naming the field, as the JSON endpoint's validation does.
 */
record OneLine(String message, String title, String link, Priority priority, List<String> tags, boolean markdown,
        boolean silent, boolean roomMention) {

    static OneLine of(Map<Field, String> fields, boolean mayMentionRoom) {
        List<Problem.FieldError> errors = new ArrayList<>();
        String message = fields.get(Field.MESSAGE);
        if (message == null || message.isBlank()) {
            errors.add(new Problem.FieldError("message", "is required (the body, or message=)"));
        } else if (message.length() > SendResource.MAX_MESSAGE) {
            errors.add(new Problem.FieldError("message", "must be at most " + SendResource.MAX_MESSAGE + " characters"));
        }
        String title = blankToNull(fields.get(Field.TITLE));
        if (title != null && (title.length() > SendResource.MAX_TITLE || Limits.firstUnprintable(title) >= 0)) {
            errors.add(new Problem.FieldError("title", "must be at most " + SendResource.MAX_TITLE
                    + " characters, without control characters"));
        }
        String link = blankToNull(fields.get(Field.LINK));
        if (link != null && !(link.length() <= SendResource.MAX_LINK && link.matches("(?i)https?://\\S+"))) {
            errors.add(new Problem.FieldError("link", "must be an absolute http(s) URL"));
        }
        Priority priority = null;
        String priorityText = blankToNull(fields.get(Field.PRIORITY));
        if (priorityText != null) {
            try {
                priority = Priority.parse(priorityText);
            } catch (IllegalArgumentException e) {
                errors.add(new Problem.FieldError("priority", e.getMessage()));
            }
        }
        List<String> tags = fields.get(Field.TAGS) == null ? List.of() : Tags.split(fields.get(Field.TAGS));
        String tagProblem = Tags.problem(tags);
        if (tagProblem != null) {
            errors.add(new Problem.FieldError("tags", tagProblem));
        }
        Boolean markdown = flag(fields.get(Field.MARKDOWN), "markdown", errors);
        Boolean silent = flag(fields.get(Field.SILENT), "silent", errors);
        if (!errors.isEmpty()) {
            throw HttpProblemException.badFields(null, errors);
        }
        boolean quiet = Boolean.TRUE.equals(silent) || priority != null && priority.silent();
        return new OneLine(message, title, link, priority, tags, Boolean.TRUE.equals(markdown), quiet,
                priority == Priority.URGENT && mayMentionRoom);
    }

    /** The m.room.message content: the tags' prefix on the title (or the message when there is none). */
    Map<String, Object> content() {
        String prefix = Tags.prefix(tags);
        String subject = title == null ? null : prefix + title;
        String body = title == null ? prefix + message : message;
        return Contents.message(subject, body, link, silent, markdown, null, roomMention ? Boolean.TRUE : null);
    }

    /** What makes two requests the same for an Idempotency-Key: the fields, however they were sent. */
    String fingerprint() {
        Map<String, Object> canonical = new TreeMap<>();
        canonical.put("message", message);
        canonical.put("title", title);
        canonical.put("link", link);
        canonical.put("priority", priority);
        canonical.put("tags", tags);
        canonical.put("markdown", markdown);
        canonical.put("silent", silent);
        canonical.put("room_mention", roomMention);
        return canonical.toString();
    }

    private static Boolean flag(String value, String field, List<Problem.FieldError> errors) {
        if (value == null || value.isBlank()) {
            return null;
        }
        switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> {
                return true;
            }
            case "0", "false", "no", "off" -> {
                return false;
            }
            default -> {
                errors.add(new Problem.FieldError(field, "must be yes/no, true/false or 1/0"));
                return null;
            }
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}

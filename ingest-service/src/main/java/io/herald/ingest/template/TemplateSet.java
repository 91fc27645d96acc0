package io.herald.ingest.template;

import java.time.Instant;

/**
 * A webhook's message template, as stored: Qute templates of the subject, the body (required), the HTML body (when
 * absent, it is made from subject and body as for any notification), the priority ({@code min} … {@code urgent}) and
 * the mentions (user ids, and {@code @room}, separated by spaces or commas).
 */
public record TemplateSet(String name, String subject, String body, String html, String priority, String mentions,
        boolean builtIn, Instant updatedAt) {
}

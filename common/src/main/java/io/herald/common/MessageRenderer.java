package io.herald.common;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders a Herald notification (subject, body, optional link, silent flag) into {@code m.room.message} content:
 * a plain {@code body} and an HTML {@code formatted_body} in which every user-supplied string is escaped.
 * Silent notifications are {@code m.notice}, which the server-default rule {@code .m.rule.suppress_notices}
 * keeps quiet.
 */
public final class MessageRenderer {

    private MessageRenderer() {
    }

    public static Map<String, Object> render(String subject, String body, String link, boolean silent) {
        StringBuilder plain = new StringBuilder();
        StringBuilder html = new StringBuilder();
        if (subject != null && !subject.isBlank()) {
            plain.append(subject).append("\n\n");
            html.append("<strong>").append(escapeHtml(subject)).append("</strong><br><br>");
        }
        plain.append(body);
        html.append(escapeHtml(body).replace("\n", "<br>"));
        if (link != null && !link.isBlank()) {
            plain.append("\n\n").append(link);
            if (!isWebLink(link)) {
                // Only http(s) becomes an anchor: a javascript: or data: URL stays inert text.
                html.append("<br><br>").append(escapeHtml(link));
            } else {
                html.append("<br><br><a href=\"").append(escapeHtml(link)).append("\">").append(escapeHtml(link))
                    .append("</a>");
            }
        }
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("msgtype", silent ? "m.notice" : "m.text");
        content.put("body", plain.toString());
        content.put("format", "org.matrix.custom.html");
        content.put("formatted_body", html.toString());
        return content;
    }

    public static boolean isWebLink(String link) {
        String lower = link.toLowerCase(java.util.Locale.ROOT);
        return lower.startsWith("https://") || lower.startsWith("http://");
    }

    public static String escapeHtml(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}

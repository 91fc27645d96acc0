package io.herald.ingest.notification;

import io.herald.common.MessageRenderer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Image;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * Markdown notifications: the body is rendered with commonmark into a sanitised {@code formatted_body}. Raw HTML
 * (blocks and inline) is escaped, so no tag of the sender's reaches the room; links are kept only for http(s) and
 * mailto (others become their text); images become links (Matrix clients only load {@code mxc://} images).
 * The plain {@code body} keeps the Markdown source, as Matrix clients do.
 */
public final class MarkdownRenderer {

    private static final Parser PARSER = Parser.builder().build();
    private static final HtmlRenderer RENDERER = HtmlRenderer.builder().escapeHtml(true).build();

    private MarkdownRenderer() {
    }

    public static Map<String, Object> render(String subject, String body, String link, boolean silent) {
        StringBuilder plain = new StringBuilder();
        StringBuilder html = new StringBuilder();
        if (subject != null && !subject.isBlank()) {
            plain.append(subject).append("\n\n");
            html.append("<strong>").append(MessageRenderer.escapeHtml(subject)).append("</strong><br>");
        }
        plain.append(body);
        html.append(toHtml(body).strip());
        if (link != null && !link.isBlank()) {
            plain.append("\n\n").append(link);
            String escaped = MessageRenderer.escapeHtml(link);
            html.append(MessageRenderer.isWebLink(link)
                    ? "<p><a href=\"" + escaped + "\">" + escaped + "</a></p>" : "<p>" + escaped + "</p>");
        }
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("msgtype", silent ? "m.notice" : "m.text");
        content.put("body", plain.toString());
        content.put("format", "org.matrix.custom.html");
        content.put("formatted_body", html.toString());
        return content;
    }

    /** Markdown to sanitised HTML. */
    public static String toHtml(String markdown) {
        Node document = PARSER.parse(markdown);
        List<Node> unsafe = new ArrayList<>();
        document.accept(new AbstractVisitor() {
            @Override
            public void visit(Link link) {
                if (!allowed(link.getDestination())) {
                    unsafe.add(link);
                }
                visitChildren(link);
            }

            @Override
            public void visit(Image image) {
                unsafe.add(image);
                visitChildren(image);
            }
        });
        for (Node node : unsafe) {
            if (node instanceof Image image && allowed(image.getDestination())) {
                Link replacement = new Link(image.getDestination(), image.getTitle());
                moveChildren(image, replacement);
                if (replacement.getFirstChild() == null) {
                    replacement.appendChild(new Text(image.getDestination()));
                }
                image.insertBefore(replacement);
                image.unlink();
            } else {
                // Keep the text, drop the link.
                Node child = node.getFirstChild();
                while (child != null) {
                    Node next = child.getNext();
                    node.insertBefore(child);
                    child = next;
                }
                node.unlink();
            }
        }
        return RENDERER.render(document);
    }

    private static void moveChildren(Node from, Node to) {
        Node child = from.getFirstChild();
        while (child != null) {
            Node next = child.getNext();
            to.appendChild(child);
            child = next;
        }
    }

    static boolean allowed(String destination) {
        if (destination == null) {
            return false;
        }
        String d = destination.strip().toLowerCase(Locale.ROOT);
        return d.startsWith("https://") || d.startsWith("http://") || d.startsWith("mailto:");
    }
}

package io.herald.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageRendererTest {

    @Test
    void rendersSubjectBodyAndLinkIntoPlainAndHtml() {
        Map<String, Object> content = MessageRenderer.render("Disk full", "sda1 at 99%", "https://nas.local/disks", false);

        assertThat(content).containsEntry("msgtype", "m.text")
                .containsEntry("body", "Disk full\n\nsda1 at 99%\n\nhttps://nas.local/disks")
                .containsEntry("format", "org.matrix.custom.html")
                .containsEntry("formatted_body", "<strong>Disk full</strong><br><br>sda1 at 99%<br><br>"
                        + "<a href=\"https://nas.local/disks\">https://nas.local/disks</a>");
    }

    @Test
    void silentNotificationsAreNotices() {
        assertThat(MessageRenderer.render(null, "backup done", null, true))
                .containsEntry("msgtype", "m.notice")
                .containsEntry("body", "backup done")
                .containsEntry("formatted_body", "backup done");
    }

    @Test
    void escapesEveryUserSuppliedString() {
        Map<String, Object> content = MessageRenderer.render("<b>x</b>", "a & \"b\" <script>alert(1)</script>",
                "https://e.org/?a=1&b=\"2\"", false);

        String html = (String) content.get("formatted_body");
        assertThat(html).doesNotContain("<script>").doesNotContain("<b>")
                .contains("&lt;b&gt;x&lt;/b&gt;")
                .contains("a &amp; &quot;b&quot; &lt;script&gt;")
                .contains("href=\"https://e.org/?a=1&amp;b=&quot;2&quot;\"");
        assertThat(content.get("body")).asString().contains("<script>"); // plain body is not HTML
    }

    @Test
    void nonWebLinksAreNotAnchors() {
        String html = (String) MessageRenderer.render("s", "b", "javascript:alert(1)", false).get("formatted_body");
        assertThat(html).doesNotContain("<a ").endsWith("javascript:alert(1)");
    }

    @Test
    void newlinesInTheBodyBecomeLineBreaks() {
        assertThat(MessageRenderer.render(null, "line 1\nline 2", null, false))
                .containsEntry("formatted_body", "line 1<br>line 2");
    }
}

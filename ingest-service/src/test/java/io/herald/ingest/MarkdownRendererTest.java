package io.herald.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.ingest.notification.MarkdownRenderer;
import org.junit.jupiter.api.Test;

class MarkdownRendererTest {

    @Test
    void markdownBecomesHtml() {
        assertThat(MarkdownRenderer.toHtml("# Title\n\n*em* **strong** `code`\n\n- a\n- b"))
                .contains("<h1>Title</h1>", "<em>em</em>", "<strong>strong</strong>", "<code>code</code>", "<li>a</li>");
    }

    @Test
    void rawHtmlBlocksAndInlineHtmlAreEscaped() {
        String html = MarkdownRenderer.toHtml("<script>alert(1)</script>\n\ntext <img src=x onerror=alert(1)> "
                + "<a href=\"javascript:alert(2)\">x</a>\n\n<div onclick=\"evil()\">block</div>");
        assertThat(html).doesNotContain("<script", "<img", "<a ", "<div").contains("&lt;script&gt;", "&lt;img",
                "&lt;div");
    }

    @Test
    void onlyWebAndMailLinksSurvive() {
        String html = MarkdownRenderer.toHtml("[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](data:text/html,x)"
                + " [d](vbscript:x) [e](https://ok.example/) [f](mailto:ops@example.org) <javascript:alert(3)>"
                + " [g](/relative) ![img](javascript:x) ![pic](https://img.example/p.png)");
        // disallowed links keep their text (inert) but lose the link; every remaining href is http(s) or mailto
        assertThat(html).doesNotContainIgnoringCase("href=\"javascript").doesNotContain("href=\"data:", "href=\"vbscript:",
                "<img", "href=\"/relative\"");
        assertThat(java.util.regex.Pattern.compile("href=\"([^\"]*)\"").matcher(html).results().map(m -> m.group(1)))
                .hasSize(3).allSatisfy(href -> assertThat(href).matches("(https://|mailto:).*"));
        assertThat(html).contains("<a href=\"https://ok.example/\">e</a>", "<a href=\"mailto:ops@example.org\">f</a>",
                "<a href=\"https://img.example/p.png\">pic</a>");
        assertThat(html).contains("a", "b", "c", "d", "g");
    }

    @Test
    void subjectAndLinkAroundTheRenderedBody() {
        var content = MarkdownRenderer.render("<Deploy>", "**ok**", "https://ci.local/1", true);
        assertThat(content).containsEntry("msgtype", "m.notice")
                .containsEntry("body", "<Deploy>\n\n**ok**\n\nhttps://ci.local/1")
                .containsEntry("format", "org.matrix.custom.html");
        assertThat((String) content.get("formatted_body")).isEqualTo("<strong>&lt;Deploy&gt;</strong><br><p><strong>ok"
                + "</strong></p><p><a href=\"https://ci.local/1\">https://ci.local/1</a></p>");
    }
}

package io.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code herald send ROOM [SUBJECT] [BODY]}: one notification through the ingest API; the body from stdin if left out. */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = {"Send a notification to a Herald room (ingest API, needs an API key).",
                "Example: herald send ops \"Backup failed\" \"nas1 could not reach the target\" --link https://nas1.local",
                "         echo \"disk full\" | herald send ops -t nas1 --priority high --wait"})
class SendCommand extends Base {

    @Parameters(index = "0", paramLabel = "ROOM")
    String room;

    @Parameters(index = "1..2", arity = "0..2", paramLabel = "TEXT",
            description = "[SUBJECT] BODY; without BODY it is read from stdin")
    List<String> texts = List.of();

    @Option(names = {"-t", "--title"}, paramLabel = "TITLE", description = "the subject (with the body from stdin)")
    String title;

    @Option(names = "--silent", description = "send as m.notice (no notification sound)")
    boolean silent;

    @Option(names = "--link", paramLabel = "URL", description = "link shown with the message")
    String link;

    @Option(names = "--markdown", description = "render BODY as Markdown")
    boolean markdown;

    @Option(names = {"-p", "--priority"}, paramLabel = "PRIORITY",
            description = "1-5 or min, low, default, high, urgent")
    String priority;

    @Option(names = "--tags", paramLabel = "TAGS", split = ",", description = "tags: emoji short codes or words")
    List<String> tags;

    @Option(names = "--idempotency-key", paramLabel = "KEY", description = "send again safely: same key, same result")
    String idempotencyKey;

    @Mixin
    Waiting waiting;

    @Override
    void run() {
        String subject = texts.size() == 2 ? texts.get(0) : title;
        String body = texts.isEmpty() ? stdin() : texts.get(texts.size() - 1);
        String url = common.ingestUrl(ctx()) + "/v1/rooms/" + Api.seg(room) + "/send";
        String key = common.apiKey(ctx());
        JsonNode answer = Api.call("POST", url, Api.body("message", body, "title", subject, "link", link,
                "priority", priority, "tags", tags, "silent", silent ? Boolean.TRUE : null,
                "markdown", markdown ? Boolean.TRUE : null), key, idempotencyKey);
        String id = answer.path("id").asText();
        if (waiting.wait) {
            waiting.await(this, common.ingestUrl(ctx()), key, id);
        } else {
            print(answer, "accepted " + id);
        }
    }

    private String stdin() {
        if (ctx().console != null) {
            throw new CliException(CliException.USAGE, "no BODY: give it as an argument or pipe it in on stdin");
        }
        try {
            String body = new String(ctx().stdin.readAllBytes(), StandardCharsets.UTF_8).stripTrailing();
            if (body.isEmpty()) {
                throw new CliException(CliException.USAGE, "no BODY: stdin was empty");
            }
            return body;
        } catch (IOException e) {
            throw new CliException(CliException.USAGE, "cannot read the body from stdin: " + e.getMessage());
        }
    }
}

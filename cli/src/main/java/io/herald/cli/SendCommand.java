package io.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code herald send ROOM [SUBJECT] BODY}: one notification through the ingest API. */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = {"Send a notification to a Herald room (ingest API, needs an API key).",
                "Example: herald send ops \"Backup failed\" \"nas1 could not reach the target\" --link https://nas1.local"})
class SendCommand extends Base {

    @Parameters(index = "0", paramLabel = "ROOM")
    String room;

    @Parameters(index = "1..2", arity = "1..2", paramLabel = "TEXT", description = "[SUBJECT] BODY")
    List<String> texts;

    @Option(names = "--silent", description = "send as m.notice (no notification sound)")
    boolean silent;

    @Option(names = "--link", paramLabel = "URL", description = "link shown with the message")
    String link;

    @Option(names = "--markdown", description = "render BODY as Markdown")
    boolean markdown;

    @Option(names = "--idempotency-key", paramLabel = "KEY", description = "send again safely: same key, same result")
    String idempotencyKey;

    @Override
    void run() {
        String subject = texts.size() == 2 ? texts.get(0) : null;
        String body = texts.get(texts.size() - 1);
        String url = common.ingestUrl(ctx()) + "/v1/rooms/" + Api.seg(room) + "/notifications";
        JsonNode answer = Api.call("POST", url, Api.body("subject", subject, "body", body, "link", link,
                "silent", silent ? Boolean.TRUE : null, "format", markdown ? "markdown" : null), common.apiKey(ctx()),
                idempotencyKey);
        print(answer, "accepted " + answer.path("id").asText());
    }
}

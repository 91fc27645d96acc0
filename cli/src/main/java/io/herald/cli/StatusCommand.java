package io.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code herald status ID}: a notification's deliveries and their states (ingest API, with the API key). */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show how a notification is doing: each delivery's state, attempts, next attempt, event id.",
                "Example: herald status 6f1c0b7e-… --wait"})
class StatusCommand extends Base {

    @Parameters(index = "0", paramLabel = "ID", description = "the notification id (from send, or the 202's id)")
    String id;

    @Mixin
    Waiting waiting;

    @Override
    void run() {
        String ingest = common.ingestUrl(ctx());
        String key = common.apiKey(ctx());
        if (waiting.wait) {
            waiting.await(this, ingest, key, id);
            return;
        }
        show(this, Api.call("GET", ingest + "/v1/notifications/" + Api.seg(id), null, key));
    }

    static void show(Base command, JsonNode status) {
        if (!command.common.json) {
            command.ctx().out.println(status.path("id").asText() + ": " + status.path("state").asText());
        }
        command.print(status, status.path("deliveries"), "KIND=kind", "STATE=state", "ATTEMPTS=attempts",
                "NEXT=next_attempt_at", "EVENT=matrix_event_id", "ROOM=matrix_room_id", "ERROR=last_error");
    }
}

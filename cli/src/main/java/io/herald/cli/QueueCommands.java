package io.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code herald queue list|purge|flush ROOM}: what waits for a room, and steering it (ingest API, with the API key). */
@Command(name = "queue", mixinStandardHelpOptions = true, description = "A room's queue: list, purge, flush.",
        subcommands = {QueueCommands.List.class, QueueCommands.Purge.class, QueueCommands.Flush.class})
class QueueCommands extends HeraldCli.Group {

    static String url(Base command, String room) {
        return command.common.ingestUrl(command.ctx()) + "/v1/rooms/" + Api.seg(room) + "/queue";
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "What is pending or retrying, oldest first.")
    static class List extends Base {
        @Parameters(index = "0", paramLabel = "ROOM")
        String room;

        @Option(names = "--limit", paramLabel = "N", description = "at most N (1-1000, default 100)")
        Integer limit;

        @Override
        void run() {
            JsonNode queue = Api.call("GET", url(this, room) + (limit == null ? "" : "?limit=" + limit), null,
                    common.apiKey(ctx()));
            if (!common.json) {
                ctx().out.println(room + ": " + queue.path("total").asText("0") + " waiting");
            }
            print(queue, queue.path("deliveries"), "NOTIFICATION=notification_id", "KIND=kind", "STATE=state",
                    "ATTEMPTS=attempts", "ACCEPTED=accepted_at", "NEXT=next_attempt_at", "ERROR=last_error");
        }
    }

    @Command(name = "purge", mixinStandardHelpOptions = true,
            description = "Drop everything waiting for the room: recorded as purged, never sent.")
    static class Purge extends Base {
        @Parameters(index = "0", paramLabel = "ROOM")
        String room;

        @Override
        void run() {
            JsonNode purged = Api.call("DELETE", url(this, room), null, common.apiKey(ctx()));
            print(purged, "purged " + room + ": " + purged.path("waiting").asText("0")
                    + " parked deliveries (and any accepted before " + purged.path("purged_before").asText() + ")");
        }
    }

    @Command(name = "flush", mixinStandardHelpOptions = true,
            description = "Try the room's parked deliveries now (the homeserver is back).")
    static class Flush extends Base {
        @Parameters(index = "0", paramLabel = "ROOM")
        String room;

        @Override
        void run() {
            JsonNode flushed = Api.call("POST", url(this, room) + "/flush", null, common.apiKey(ctx()));
            print(flushed, "flushed " + room + ": " + flushed.path("destinations").asText("0") + " destinations");
        }
    }
}

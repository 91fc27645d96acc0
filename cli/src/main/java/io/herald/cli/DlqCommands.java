package io.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code herald dlq …}: the dispatcher's dead letters. */
@Command(name = "dlq", mixinStandardHelpOptions = true, description = "Dead letters (dispatcher): list, show, replay, purge.",
        subcommands = {DlqCommands.ListLetters.class, DlqCommands.Show.class, DlqCommands.Replay.class,
                DlqCommands.Purge.class})
class DlqCommands extends HeraldCli.Group {

    static String letters(Base command) {
        return command.common.dispatcherUrl(command.ctx()) + "/v1/dead-letters";
    }

    /** The API's filters. */
    static class Filters {
        @Option(names = "--room", paramLabel = "ROOM", description = "Herald room key")
        String room;

        @Option(names = "--destination", paramLabel = "DEST", description = "destination key")
        String destination;

        @Option(names = "--kind", paramLabel = "KIND", description = "matrix_room or push")
        String kind;

        @Option(names = "--reason", paramLabel = "TEXT", description = "substring of the reason")
        String reason;

        @Option(names = "--older-than", paramLabel = "DURATION", description = "ISO-8601, e.g. PT1H")
        String olderThan;

        @Option(names = "--newer-than", paramLabel = "DURATION", description = "ISO-8601, e.g. PT30M")
        String newerThan;

        Map<String, Object> params() {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("room", room);
            p.put("destination", destination);
            p.put("kind", kind);
            p.put("reason", reason);
            p.put("older_than", olderThan);
            p.put("newer_than", newerThan);
            return p;
        }

        boolean any() {
            return params().values().stream().anyMatch(v -> v != null);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List dead letters, newest first.")
    static class ListLetters extends Base {
        @ArgGroup(exclusive = false)
        Filters filters = new Filters();

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "at most N (≤ 1000, default 100)")
        int limit;

        @Override
        void run() {
            Map<String, Object> params = filters.params();
            params.put("limit", limit);
            JsonNode answer = get(letters(this) + Api.query(params));
            if (common.json) {
                Output.json(ctx().out, answer);
                return;
            }
            Output.table(ctx().out, answer.path("dead_letters"), "ID=delivery_id", "ROOM=room", "KIND=destination_kind",
                    "STATUS=last_status", "ATTEMPTS=attempts", "DEAD_AT=dead_at", "REASON=reason");
            ctx().out.println(answer.path("total").asText("0") + " in total");
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one dead letter with its attempts.")
    static class Show extends Base {
        @Parameters(paramLabel = "ID", description = "delivery id")
        String id;

        @Override
        void run() {
            JsonNode letter = get(letters(this) + "/" + Api.seg(id));
            if (common.json) {
                Output.json(ctx().out, letter);
                return;
            }
            Output.table(ctx().out, letter, "ID=delivery_id", "ROOM=room", "DESTINATION=destination",
                    "STATUS=last_status", "ATTEMPTS=attempts", "DEAD_AT=dead_at");
            ctx().out.println("reason: " + letter.path("reason").asText());
            if (letter.path("history").isArray() && letter.path("history").size() > 0) {
                Output.table(ctx().out, letter.path("history"), "at", "status", "outcome", "detail");
            }
        }
    }

    /** replay and purge: one id, or filters, or --all. */
    abstract static class Bulk extends Base {
        @Parameters(arity = "0..1", paramLabel = "ID", description = "one dead letter (else the filters or --all)")
        String id;

        @ArgGroup(exclusive = false)
        Filters filters = new Filters();

        @Option(names = "--all", description = "every dead letter (needed when no ID or filter is given)")
        boolean all;

        Map<String, Object> params() {
            if (id != null && (filters.any() || all)) {
                throw new CliException(CliException.USAGE, "give either an ID or filters/--all, not both");
            }
            if (id == null && !filters.any() && !all) {
                throw new CliException(CliException.USAGE, "give an ID, filters (--room, --kind, --reason, …) or --all");
            }
            Map<String, Object> params = filters.params();
            if (all) {
                params.put("all", true);
            }
            return params;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Send dead letters back to herald.deliveries (same delivery id).")
    static class Replay extends Bulk {
        @Override
        void run() {
            Map<String, Object> params = params();
            String url = id != null ? letters(this) + "/" + Api.seg(id) + "/replay"
                    : letters(this) + "/replay" + Api.query(params);
            JsonNode answer = call("POST", url, null);
            print(answer, "replayed " + answer.path("replayed").asText("0"));
        }
    }

    @Command(name = "purge", mixinStandardHelpOptions = true, description = "Delete dead letters.")
    static class Purge extends Bulk {
        @Override
        void run() {
            Map<String, Object> params = params();
            String url = id != null ? letters(this) + "/" + Api.seg(id) : letters(this) + Api.query(params);
            JsonNode answer = call("DELETE", url, null);
            print(answer, "purged " + (id != null ? "1" : answer.path("purged").asText("0")));
        }
    }
}

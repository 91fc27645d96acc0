package io.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code herald keys …}: ingest API keys (admin token). */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Ingest API keys (needs the admin token).",
        subcommands = {KeysCommands.Create.class, KeysCommands.ListKeys.class, KeysCommands.Revoke.class})
class KeysCommands extends HeraldCli.Group {

    static final String[] KEY_COLUMNS = {"id", "name", "tenant", "sender", "rooms", "created_at", "revoked_at"};

    static String keys(Base command) {
        return command.common.ingestUrl(command.ctx()) + "/v1/admin/api-keys";
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create an API key; the key is printed only this once.",
                    "Example: herald keys create --tenant me --room ops --sender @monitoring:example.org"})
    static class Create extends Base {
        @Option(names = "--tenant", required = true, paramLabel = "TENANT")
        String tenant;

        @Option(names = "--room", required = true, paramLabel = "ROOM", description = "room it may post to, or * (repeatable)")
        List<String> rooms;

        @Option(names = "--sender", paramLabel = "USER_ID", description = "Matrix sender of its events")
        String sender;

        @Option(names = "--name", paramLabel = "NAME")
        String name;

        @Option(names = "--rate", paramLabel = "PER_SECOND", description = "its own rate limit")
        Double perSecond;

        @Option(names = "--burst", paramLabel = "N", description = "its own burst")
        Integer burst;

        @Override
        void run() {
            Map<String, Object> rateLimit = perSecond == null && burst == null ? null
                    : Api.body("per_second", perSecond, "burst", burst);
            JsonNode key = call("POST", keys(this), Api.body("tenant", tenant, "rooms", rooms, "sender", sender,
                    "name", name, "rate_limit", rateLimit));
            if (common.json) {
                Output.json(ctx().out, key);
                return;
            }
            Output.table(ctx().out, key, "id", "tenant", "sender", "rooms");
            ctx().out.println("key: " + key.path("key").asText() + "   (shown only this once)");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List API keys (never the keys themselves).")
    static class ListKeys extends Base {
        @Option(names = "--tenant", paramLabel = "TENANT")
        String tenant;

        @Override
        void run() {
            JsonNode answer = call("GET", keys(this) + Api.query(Api.body("tenant", tenant)), null);
            print(answer, answer, KEY_COLUMNS);
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke an API key.")
    static class Revoke extends Base {
        @Parameters(paramLabel = "KEY_ID", description = "key_…")
        String id;

        @Override
        void run() {
            JsonNode answer = call("DELETE", keys(this) + "/" + Api.seg(id), null);
            print(answer, "revoked " + id);
        }
    }
}

package io.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code herald secrets …}: the dispatcher's key ring for stored secrets (access tokens, passwords). */
@Command(name = "secrets", mixinStandardHelpOptions = true,
        description = "The key ring that encrypts stored secrets (dispatcher).",
        subcommands = {SecretsCommands.Rotate.class})
class SecretsCommands extends HeraldCli.Group {

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"Re-encrypt every stored secret (Matrix access tokens, passwords) under the primary key.",
                    "Accounts whose secrets cannot be read are listed and left as they are."})
    static class Rotate extends Base {
        @Override
        void run() {
            JsonNode answer = Api.call("POST", common.dispatcherUrl(ctx()) + "/v1/secrets/rotate", null, null);
            print(answer, "re-encrypted " + answer.path("re_encrypted").asInt() + " accounts under the key '"
                    + answer.path("primary_key").asText() + "' (" + answer.path("already_current").asInt()
                    + " already were); unreadable: " + answer.path("unreadable").asInt());
            if (!common.json && answer.path("unreadable").asInt() > 0) {
                Output.table(ctx().out, answer.path("unreadable_accounts"), "ACCOUNT=account", "REASON=reason");
            }
        }
    }
}

package io.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code herald matrix …}: the dispatcher's Matrix accounts. */
@Command(name = "matrix", mixinStandardHelpOptions = true, description = "Matrix accounts Herald posts as (dispatcher).",
        subcommands = {MatrixCommands.Login.class, MatrixCommands.Join.class, MatrixCommands.Accounts.class,
                MatrixCommands.Delete.class})
class MatrixCommands extends HeraldCli.Group {

    static final String[] ACCOUNT_COLUMNS = {"id", "user_id", "homeserver", "device_id", "relogin"};

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = {"Log a Matrix user in and store it as a dispatcher account.",
                    "The password is asked for on the terminal, or read from the first line of stdin when piped",
                    "(never an argument). Without --homeserver it is discovered from the user id's domain."})
    static class Login extends Base {
        @Parameters(paramLabel = "USER_ID", description = "e.g. @bot:example.org")
        String userId;

        @Option(names = "--homeserver", paramLabel = "URL", description = "client-server API base URL (default: discovered)")
        String homeserver;

        @Option(names = "--relogin", description = "keep the password (encrypted) to log in again when the token expires")
        boolean relogin;

        @Option(names = "--id", paramLabel = "ID", description = "account id (default: the user id's localpart)")
        String id;

        @Option(names = "--device-id", paramLabel = "DEVICE", description = "fixed device id (default HERALD)")
        String deviceId;

        @Override
        void run() {
            if (!userId.matches("@[^:\\s]+:\\S+")) {
                throw new CliException(CliException.USAGE, "USER_ID must be a Matrix user id like @bot:example.org");
            }
            String accountId = id != null ? id
                    : userId.substring(1, userId.indexOf(':')).replaceAll("[^A-Za-z0-9._~-]", "_");
            String password = ctx().readSecret("Password for " + userId + ": ");
            JsonNode account = call("POST", common.dispatcherUrl(ctx()) + "/v1/matrix-accounts",
                    Api.body("id", accountId, "user_id", userId, "password", password, "relogin", relogin,
                            "homeserver", homeserver, "device_id", deviceId));
            print(account, account, ACCOUNT_COLUMNS);
        }
    }

    @Command(name = "join", mixinStandardHelpOptions = true,
            description = "Join a room as an account (also accepts a pending invite).")
    static class Join extends Base {
        @Parameters(index = "0", paramLabel = "ACCOUNT", description = "dispatcher account id")
        String account;

        @Parameters(index = "1", paramLabel = "ROOM", description = "room id (!id:server, or !id from room version 12) or alias (#alias:server)")
        String room;

        @Override
        void run() {
            JsonNode joined = call("POST", common.dispatcherUrl(ctx()) + "/v1/matrix-accounts/" + Api.seg(account)
                    + "/join", Api.body("room", room));
            print(joined, "joined " + joined.path("room_id").asText());
        }
    }

    @Command(name = "accounts", aliases = "list", mixinStandardHelpOptions = true, description = "List the accounts.")
    static class Accounts extends Base {
        @Override
        void run() {
            JsonNode accounts = get(common.dispatcherUrl(ctx()) + "/v1/matrix-accounts");
            print(accounts, accounts, ACCOUNT_COLUMNS);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete an account.")
    static class Delete extends Base {
        @Parameters(paramLabel = "ACCOUNT")
        String account;

        @Override
        void run() {
            JsonNode answer = call("DELETE", common.dispatcherUrl(ctx()) + "/v1/matrix-accounts/" + Api.seg(account),
                    null);
            print(answer, "deleted " + account);
        }
    }
}

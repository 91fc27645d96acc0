package io.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code herald rooms …}: the rules-service's rooms and members. */
@Command(name = "rooms", mixinStandardHelpOptions = true, description = "Herald rooms and their members (rules-service).",
        subcommands = {RoomsCommands.Create.class, RoomsCommands.ListRooms.class, RoomsCommands.Link.class,
                RoomsCommands.Members.class, RoomsCommands.Delete.class})
class RoomsCommands extends HeraldCli.Group {

    static final String[] ROOM_COLUMNS = {"room", "matrix_room_id", "account", "tenant"};

    static String rooms(Base command) {
        return command.common.rulesUrl(command.ctx()) + "/v1/rooms";
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create (or update) a room.")
    static class Create extends Base {
        @Parameters(paramLabel = "ROOM", description = "Herald room key, e.g. ops")
        String room;

        @Option(names = "--matrix-room-id", paramLabel = "!ID:SERVER", description = "Matrix room to deliver to")
        String matrixRoomId;

        @Option(names = "--account", paramLabel = "ACCOUNT", description = "dispatcher account that posts there")
        String account;

        @Option(names = "--tenant", paramLabel = "TENANT",
                description = "the tenant owning the room (default: the token's tenant; kept on an update)")
        String tenant;

        @Override
        void run() {
            JsonNode answer = call("PUT", rooms(this) + "/" + Api.seg(room),
                    Api.body("matrix_room_id", matrixRoomId, "account", account, "tenant", tenant));
            print(answer, answer, ROOM_COLUMNS);
        }
    }

    @Command(name = "link", mixinStandardHelpOptions = true, description = "Link a room to a Matrix room and account.")
    static class Link extends Base {
        @Parameters(index = "0", paramLabel = "ROOM")
        String room;

        @Parameters(index = "1", paramLabel = "MATRIX_ROOM_ID", description = "!id:server (or !id from room version 12)")
        String matrixRoomId;

        @Option(names = "--account", required = true, paramLabel = "ACCOUNT", description = "dispatcher account")
        String account;

        @Override
        void run() {
            JsonNode answer = call("PUT", rooms(this) + "/" + Api.seg(room),
                    Api.body("matrix_room_id", matrixRoomId, "account", account));
            print(answer, answer, ROOM_COLUMNS);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the rooms.")
    static class ListRooms extends Base {
        @Override
        void run() {
            JsonNode answer = get(rooms(this));
            print(answer, answer, ROOM_COLUMNS);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a room (and its members).")
    static class Delete extends Base {
        @Parameters(paramLabel = "ROOM")
        String room;

        @Override
        void run() {
            JsonNode answer = call("DELETE", rooms(this) + "/" + Api.seg(room), null);
            print(answer, "deleted " + room);
        }
    }

    @Command(name = "members", mixinStandardHelpOptions = true,
            description = {"List a room's members, or add/update and remove some.",
                    "Examples: herald rooms members ops",
                    "          herald rooms members ops --add @alice:example.org --display-name Alice --power-level 50",
                    "          herald rooms members ops --remove @bob:example.org"})
    static class Members extends Base {
        @Parameters(paramLabel = "ROOM")
        String room;

        @Option(names = "--add", paramLabel = "USER_ID", description = "add or update a member (repeatable)")
        List<String> add = new ArrayList<>();

        @Option(names = "--display-name", paramLabel = "NAME", description = "display name of the added member(s)")
        String displayName;

        @Option(names = "--power-level", paramLabel = "LEVEL", description = "power level of the added member(s)")
        Long powerLevel;

        @Option(names = "--remove", paramLabel = "USER_ID", description = "remove a member (repeatable)")
        List<String> remove = new ArrayList<>();

        @Override
        void run() {
            String members = rooms(this) + "/" + Api.seg(room) + "/members";
            for (String user : add) {
                call("PUT", members + "/" + Api.seg(user), Api.body("display_name", displayName,
                        "power_level", powerLevel));
            }
            for (String user : remove) {
                call("DELETE", members + "/" + Api.seg(user), null);
            }
            JsonNode answer = get(members);
            print(answer, answer, "user_id", "display_name", "power_level");
        }
    }
}

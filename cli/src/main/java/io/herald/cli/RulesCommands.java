package io.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code herald rules …}: a user's push rules (rules-service, Matrix push-rule API shapes). */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "A user's push rules (rules-service).",
        subcommands = {RulesCommands.Get.class, RulesCommands.Enable.class, RulesCommands.Disable.class})
class RulesCommands extends HeraldCli.Group {

    static final String[] KINDS = {"override", "content", "room", "sender", "underride"};

    static String global(Base command, String user) {
        return command.common.rulesUrl(command.ctx()) + "/v1/users/" + Api.seg(user) + "/pushrules/global/";
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = {"Show the effective ruleset of a user, or one rule.",
                    "Examples: herald rules get @alice:example.org",
                    "          herald rules get @alice:example.org override .m.rule.suppress_notices"})
    static class Get extends Base {
        @Parameters(index = "0", paramLabel = "USER_ID")
        String user;

        @Parameters(index = "1", arity = "0..1", paramLabel = "KIND", description = "override, content, room, sender, underride")
        String kind;

        @Parameters(index = "2", arity = "0..1", paramLabel = "RULE_ID")
        String ruleId;

        @Override
        void run() {
            if (kind != null && ruleId == null) {
                throw new CliException(CliException.USAGE, "give KIND and RULE_ID, or neither");
            }
            ArrayNode rows = Api.JSON.createArrayNode();
            JsonNode answer;
            if (kind != null) {
                answer = get(global(this, user) + Api.seg(kind) + "/" + Api.seg(ruleId));
                rows.add(((ObjectNode) answer.deepCopy()).put("kind", kind));
            } else {
                answer = get(global(this, user));
                for (String k : KINDS) {
                    for (JsonNode rule : answer.path(k)) {
                        rows.add(((ObjectNode) rule.deepCopy()).put("kind", k));
                    }
                }
            }
            print(answer, rows, "kind", "rule_id", "enabled", "default", "actions");
        }
    }

    abstract static class Toggle extends Base {
        @Parameters(index = "0", paramLabel = "USER_ID")
        String user;

        @Parameters(index = "1", paramLabel = "KIND", description = "override, content, room, sender, underride")
        String kind;

        @Parameters(index = "2", paramLabel = "RULE_ID", description = "e.g. .m.rule.suppress_notices")
        String ruleId;

        void set(boolean enabled) {
            JsonNode answer = call("PUT", global(this, user) + Api.seg(kind) + "/" + Api.seg(ruleId) + "/enabled",
                    Api.body("enabled", enabled));
            print(answer, (enabled ? "enabled " : "disabled ") + kind + "/" + ruleId + " for " + user);
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a push rule of a user.")
    static class Enable extends Toggle {
        @Override
        void run() {
            set(true);
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable a push rule of a user.")
    static class Disable extends Toggle {
        @Override
        void run() {
            set(false);
        }
    }
}

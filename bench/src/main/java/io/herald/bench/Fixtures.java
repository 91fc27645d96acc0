package io.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.pushrules.PushRuleSet;
import io.herald.pushrules.PushRulesJson;

/** Shared benchmark inputs. */
final class Fixtures {

    private Fixtures() {
    }

    /** A typical m.room.message as a modern client sends it into a group room. */
    static final String MESSAGE = "{"
            + "\"type\":\"m.room.message\","
            + "\"sender\":\"@bob:example.org\","
            + "\"room_id\":\"!GroupRoom:example.org\","
            + "\"event_id\":\"$143273582443PhrSn:example.org\","
            + "\"origin_server_ts\":1732240000000,"
            + "\"unsigned\":{\"age\":1234},"
            + "\"content\":{"
            + "\"msgtype\":\"m.text\","
            + "\"body\":\"Hey everyone, the deploy of the notification router is done; dashboards look fine so far.\","
            + "\"m.mentions\":{}"
            + "}}";

    /** The same message from an older client (no {@code m.mentions}: the legacy mention rules apply). */
    static final String MESSAGE_WITHOUT_MENTIONS = MESSAGE.replace(",\"m.mentions\":{}", "");

    /** Members of the group room for (a) and (b). */
    static final int GROUP_ROOM_MEMBERS = 25;

    static JsonNode json(String s) {
        try {
            return PushRulesJson.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code n} content rules with keywords that do not occur in {@link #MESSAGE} (prefix makes them distinct). */
    static PushRuleSet keywordRules(String prefix, int n) {
        ObjectNode rs = PushRulesJson.MAPPER.createObjectNode();
        ArrayNode content = rs.putArray("content");
        String[] words = {"outage", "urgent", "pager", "incident", "rollback", "budget", "lunch", "standup",
            "release", "hotfix"};
        for (int i = 0; i < n; i++) {
            ObjectNode r = content.addObject();
            r.put("rule_id", prefix + i);
            r.put("default", false);
            r.put("enabled", true);
            r.put("pattern", words[i % words.length] + prefix + i);
            r.putArray("actions").add("notify").addObject().put("set_tweak", "sound").put("value", "default");
        }
        return PushRulesJson.parseRuleset(rs);
    }
}

package io.herald.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * "Why did it notify?": a room and an event, and for every member the rule that matched and its actions, from the
 * rules-service's evaluate API with each member's stored rules.
 */
@Path(Page.ROOT + "/explain")
@PermitAll
@Blocking
public class ExplainPages {

    static final String SAMPLE = """
            {
              "type": "m.room.message",
              "sender": "@monitoring:example.org",
              "content": {"msgtype": "m.text", "body": "Backup failed on nas1"}
            }""";

    private final Page page;

    ExplainPages(Page page) {
        this.page = page;
    }

    @GET
    public Response form(@QueryParam("room") String room) {
        return Page.html(render(room == null ? "" : room, SAMPLE, null, ""));
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response explain(@FormParam("csrf") String csrf, @FormParam("room") String room,
            @FormParam("event") String event) {
        page.checkCsrf(csrf);
        String roomKey = room == null ? "" : room.strip();
        String text = event == null ? "" : event;
        JsonNode parsed;
        try {
            parsed = Apis.JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Page.html(400, render(roomKey, text, null, "The event is not JSON: " + e.getOriginalMessage()));
        }
        if (parsed == null || !parsed.isObject()) {
            return Page.html(400, render(roomKey, text, null, "The event must be a JSON object."));
        }
        JsonNode answer = page.call(Apis.Service.RULES, "POST", "/v1/push-rules/evaluate",
                Map.of("room", roomKey, "event", parsed));
        List<Map<String, Object>> results = new ArrayList<>();
        for (JsonNode r : answer.path("results")) {
            Map<String, Object> row = new HashMap<>();
            row.put("user_id", r.path("user_id").asText());
            row.put("rule_id", r.path("rule_id").isNull() ? "" : r.path("rule_id").asText());
            row.put("kind", r.path("kind").isNull() ? "" : r.path("kind").asText());
            row.put("actions", r.path("actions").toString());
            row.put("tweaks", r.path("tweaks").isEmpty() ? "" : r.path("tweaks").toString());
            boolean notify = false;
            for (JsonNode action : r.path("actions")) {
                notify |= "notify".equals(action.asText()); // not "dont_notify", nor a tweak
            }
            row.put("notify", notify);
            row.put("rules_url", Page.ROOT + "/explain/rules" + Apis.query(Map.of("user", r.path("user_id").asText(),
                    "room", roomKey, "event", text)));
            results.add(row);
        }
        return Page.html(render(roomKey, text, results, ""));
    }

    // ---- a member's rules: see them, switch one on or off, add or delete one, and explain the same event again

    /** The push-rule kinds a user's global ruleset has, in evaluation order. */
    static final List<String> KINDS = List.of("override", "content", "room", "sender", "underride");

    @GET
    @Path("rules")
    public Response rules(@QueryParam("user") String user, @QueryParam("room") String room,
            @QueryParam("event") String event, @QueryParam("done") String done) {
        String userId = required(user, "user");
        JsonNode global = page.get(Apis.Service.RULES, rulesPath(userId, null, null, null));
        List<Map<String, Object>> rules = new ArrayList<>();
        for (String kind : KINDS) {
            for (JsonNode r : global.path(kind)) {
                Map<String, Object> row = new HashMap<>();
                row.put("kind", kind);
                row.put("rule_id", r.path("rule_id").asText());
                row.put("enabled", r.path("enabled").asBoolean(true));
                row.put("own", !r.path("default").asBoolean(false));
                row.put("actions", r.path("actions").toString());
                row.put("matches", r.has("pattern") ? "pattern " + r.path("pattern").asText()
                        : r.has("conditions") ? r.path("conditions").toString() : "");
                rules.add(row);
            }
        }
        Map<String, Object> data = new HashMap<>();
        data.put("user", userId);
        data.put("room", room == null ? "" : room);
        data.put("event", event == null || event.isBlank() ? SAMPLE : event);
        data.put("rules", rules);
        data.put("kinds", KINDS);
        data.put("notice", switch (done == null ? "" : done) {
            case "toggled" -> "The rule was switched. Explain the event again to see what changed.";
            case "added" -> "The rule was added. Explain the event again to see what changed.";
            case "deleted" -> "The rule was deleted (a server default is back to its default).";
            default -> "";
        });
        return Page.html(page.render("rules", "explain", data));
    }

    @POST
    @Path("rules/toggle")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response toggle(@FormParam("csrf") String csrf, @FormParam("user") String user,
            @FormParam("room") String room, @FormParam("event") String event, @FormParam("kind") String kind,
            @FormParam("rule_id") String ruleId, @FormParam("enabled") String enabled) {
        page.checkCsrf(csrf);
        page.call(Apis.Service.RULES, "PUT", rulesPath(required(user, "user"), kind, ruleId, "enabled"),
                Map.of("enabled", "true".equals(enabled)));
        return backToRules(user, room, event, "toggled");
    }

    @POST
    @Path("rules/add")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response add(@FormParam("csrf") String csrf, @FormParam("user") String user, @FormParam("room") String room,
            @FormParam("event") String event, @FormParam("kind") String kind, @FormParam("rule_id") String ruleId,
            @FormParam("pattern") String pattern, @FormParam("conditions") String conditions,
            @FormParam("actions") String actions) {
        page.checkCsrf(csrf);
        Map<String, Object> rule = new java.util.LinkedHashMap<>();
        rule.put("actions", json("actions", actions == null || actions.isBlank() ? "[\"notify\"]" : actions));
        if (pattern != null && !pattern.isBlank()) {
            rule.put("pattern", pattern.strip());
        }
        if (conditions != null && !conditions.isBlank()) {
            rule.put("conditions", json("conditions", conditions));
        }
        page.call(Apis.Service.RULES, "PUT", rulesPath(required(user, "user"), kind, required(ruleId, "rule id"), null),
                rule);
        return backToRules(user, room, event, "added");
    }

    @POST
    @Path("rules/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@FormParam("csrf") String csrf, @FormParam("user") String user,
            @FormParam("room") String room, @FormParam("event") String event, @FormParam("kind") String kind,
            @FormParam("rule_id") String ruleId) {
        page.checkCsrf(csrf);
        page.call(Apis.Service.RULES, "DELETE", rulesPath(required(user, "user"), kind, ruleId, null), null);
        return backToRules(user, room, event, "deleted");
    }

    private static String rulesPath(String user, String kind, String ruleId, String attribute) {
        String path = "/v1/users/" + Apis.segment(user) + "/pushrules/global";
        if (kind != null) {
            if (!KINDS.contains(kind)) {
                throw new ApiException(400, "kind must be one of " + KINDS);
            }
            path += "/" + kind + "/" + Apis.segment(required(ruleId, "rule id"));
        }
        return attribute == null ? path : path + "/" + attribute;
    }

    private static Response backToRules(String user, String room, String event, String done) {
        return Page.redirect("/explain/rules" + Apis.query(Map.of("user", user, "room", room == null ? "" : room,
                "event", event == null ? "" : event, "done", done)));
    }

    private static String required(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new ApiException(400, what + " is required");
        }
        return value.strip();
    }

    private static JsonNode json(String what, String text) {
        try {
            return Apis.JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiException(400, what + " is not JSON: " + e.getOriginalMessage());
        }
    }

    private String render(String room, String event, List<Map<String, Object>> results, String error) {
        Map<String, Object> data = new HashMap<>();
        data.put("room", room);
        data.put("event", event);
        data.put("results", results == null ? List.of() : results);
        data.put("explained", results != null);
        data.put("error", error);
        return page.render("explain", "explain", data);
    }
}

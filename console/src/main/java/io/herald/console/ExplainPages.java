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
            results.add(row);
        }
        return Page.html(render(roomKey, text, results, ""));
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

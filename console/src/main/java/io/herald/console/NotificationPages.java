package io.herald.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The timeline: a room's latest deliveries (the dispatcher's delivery log), and one page per notification with the API
 * key that accepted it, what the push rules decided for each member (the rules-service's evaluation), each delivery
 * and every attempt, the Matrix event id and its matrix.to link.
 */
@Path(Page.ROOT + "/notifications")
@PermitAll
@Blocking
public class NotificationPages {

    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final Page page;
    private final ConsoleSettings settings;

    NotificationPages(Page page, ConsoleSettings settings) {
        this.page = page;
        this.settings = settings;
    }

    /**
     * {@code q}: a notification id (opens it) or a room key (lists it); {@code text}: words of the message; {@code since}
     * and {@code until}: a time window (the browser's {@code datetime-local}, read as UTC); nothing: the latest of every
     * room.
     */
    @GET
    public Response search(@QueryParam("q") String q, @QueryParam("text") String text,
            @QueryParam("since") String since, @QueryParam("until") String until) {
        String query = q == null ? "" : q.strip();
        if (UUID.matcher(query).matches()) {
            return Page.redirect("/notifications/" + query);
        }
        Map<String, String> filter = new java.util.LinkedHashMap<>();
        filter.put("room", query);
        filter.put("text", text == null ? "" : text.strip());
        filter.put("since", utc(since));
        filter.put("until", utc(until));
        filter.put("limit", "100");
        JsonNode latest = page.get(Apis.Service.DISPATCHER, "/v1/deliveries" + Apis.query(filter));
        return Page.html(page.render("notifications", "notifications", Map.of("q", query,
                "text", filter.get("text"), "since", since == null ? "" : since, "until", until == null ? "" : until,
                "deliveries", Apis.plain(latest))));
    }

    /** {@code 2026-12-03T14:02} (a datetime-local field) as the instant the APIs take; anything else as it is. */
    static String utc(String local) {
        if (local == null || local.isBlank()) {
            return "";
        }
        String value = local.strip();
        if (value.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}")) {
            return value + ":00Z";
        }
        return value.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?") ? value + "Z" : value;
    }

    @GET
    @Path("{id}")
    public Response notification(@PathParam("id") String id) {
        JsonNode status = page.get(Apis.Service.DISPATCHER, "/v1/notifications/" + Apis.segment(id));
        List<Map<String, Object>> deliveries = new ArrayList<>();
        String acceptedBy = "";
        for (JsonNode d : status.path("deliveries")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> delivery = new HashMap<>((Map<String, Object>) Apis.plain(d));
            // every attempt: the delivery log's history (a delivery only parked has its attempts in the queue's view)
            Object attempts = List.of();
            try {
                JsonNode logged = page.get(Apis.Service.DISPATCHER, "/v1/deliveries/" + Apis.segment(
                        d.path("delivery_id").asText()));
                attempts = Apis.plain(logged.path("history"));
                delivery.put("rule_id", logged.path("rule_id").asText(""));
                if (acceptedBy.isEmpty()) {
                    acceptedBy = logged.path("accepted_by").asText("");
                }
            } catch (ApiException e) {
                if (e.status() != 404) {
                    throw e;
                }
            }
            delivery.put("history", attempts == null ? List.of() : attempts);
            String eventId = d.path("matrix_event_id").asText("");
            String roomId = d.path("matrix_room_id").asText("");
            if (!eventId.isEmpty() && !roomId.isEmpty()) {
                delivery.put("matrix_to", "https://matrix.to/#/" + Apis.segment(roomId) + "/" + Apis.segment(eventId));
            }
            deliveries.add(delivery);
        }
        String trace = settings.traceUrl().map(url -> url.replace("{notification_id}", Apis.segment(id))).orElse("");
        Map<String, Object> data = new HashMap<>(Map.of("id", id, "state", status.path("state").asText(),
                "deliveries", deliveries, "traceUrl", trace, "acceptedBy", acceptedBy,
                "keyName", keyName(acceptedBy)));
        data.put("evaluation", evaluation(id));
        return Page.html(page.render("notification", "notifications", data));
    }

    /** The API key's name, when the person may read keys (admins) and it still exists; else "". */
    private String keyName(String keyId) {
        if (keyId.isEmpty()) {
            return "";
        }
        try {
            return page.get(Apis.Service.INGEST, "/v1/admin/api-keys/" + Apis.segment(keyId)).path("name").asText("");
        } catch (ApiException e) {
            if (e.status() == 403 || e.status() == 404) {
                return ""; // an operator who is no admin, or a revoked key: the id alone
            }
            throw e;
        }
    }

    /**
     * What the push rules decided when the notification was planned (the rules-service's record), each member with the
     * rule that matched, its actions and tweaks as text; null when nothing was evaluated (no member with a pusher).
     */
    private Map<String, Object> evaluation(String id) {
        JsonNode evaluation;
        try {
            evaluation = page.get(Apis.Service.RULES, "/v1/notifications/" + Apis.segment(id) + "/evaluation");
        } catch (ApiException e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        }
        List<Map<String, Object>> members = new ArrayList<>();
        for (JsonNode m : evaluation.path("members")) {
            List<String> tweaks = new ArrayList<>();
            m.path("tweaks").fields().forEachRemaining(t -> tweaks.add(t.getKey() + "=" + t.getValue().asText()));
            List<String> actions = new ArrayList<>();
            for (JsonNode a : m.path("actions")) {
                actions.add(a.isTextual() ? a.asText() : a.has("set_tweak") ? "set_tweak " + a.path("set_tweak").asText()
                        : a.toString());
            }
            members.add(Map.of("user_id", m.path("user_id").asText(), "notify", m.path("notify").asBoolean(),
                    "rule_id", m.path("rule_id").asText(""), "kind", m.path("kind").asText(""),
                    "actions", String.join(", ", actions), "tweaks", String.join(", ", tweaks)));
        }
        return Map.of("evaluated_at", evaluation.path("evaluated_at").asText(),
                "member_count", evaluation.path("member_count").asInt(),
                "notified_count", evaluation.path("notified_count").asInt(), "members", members,
                "listed", members.size());
    }
}

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
 * The timeline: a room's latest deliveries (the dispatcher's delivery log), and one page per notification with each
 * delivery and every attempt, the Matrix event id and its matrix.to link.
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
        return Page.html(page.render("notification", "notifications", Map.of("id", id,
                "state", status.path("state").asText(), "deliveries", deliveries, "traceUrl", trace)));
    }
}

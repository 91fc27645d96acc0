package io.herald.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dead letters (the dispatcher's {@code /v1/dead-letters}): filter, inspect, replay or purge one, a selection, or
 * everything a filter matches after a confirmation that states how many.
 */
@Path(Page.ROOT + "/dead-letters")
@PermitAll
@Blocking
public class DeadLetterPages {

    /** The dispatcher's filters, as query parameters of the list and hidden fields of the confirmation. */
    public static class Filter {
        @QueryParam("room")
        public String room;
        @QueryParam("reason")
        public String reason;
        @QueryParam("kind")
        public String kind;
        @QueryParam("destination")
        public String destination;
        @QueryParam("older_than")
        public String olderThan;

        Map<String, String> parameters() {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("room", room);
            p.put("reason", reason);
            p.put("kind", kind);
            p.put("destination", destination);
            p.put("older_than", olderThan);
            p.values().removeIf(v -> v == null || v.isBlank());
            return p;
        }
    }

    private final Page page;

    DeadLetterPages(Page page) {
        this.page = page;
    }

    @GET
    public Response list(@BeanParam Filter filter, @QueryParam("done") String done, @QueryParam("n") Integer n) {
        Map<String, String> query = new HashMap<>(filter.parameters());
        query.put("limit", "200");
        JsonNode answer = page.get(Apis.Service.DISPATCHER, "/v1/dead-letters" + Apis.query(query));
        Map<String, Object> data = new HashMap<>();
        data.put("f", filter.parameters());
        data.put("letters", Apis.plain(answer.path("dead_letters")));
        data.put("total", answer.path("total").asLong());
        data.put("filtered", !filter.parameters().isEmpty());
        data.put("notice", notice(done, n));
        return Page.html(page.render("dead-letters", "dead-letters", data));
    }

    static String notice(String done, Integer n) {
        if (done == null) {
            return "";
        }
        int count = n == null ? 0 : n;
        return switch (done) {
            case "replayed" -> count + (count == 1 ? " dead letter was" : " dead letters were") + " replayed.";
            case "purged" -> count + (count == 1 ? " dead letter was" : " dead letters were") + " purged.";
            case "flushed" -> "The room's parked deliveries are being tried now (" + count + " destinations).";
            case "queue-purged" -> "The room's queue was purged (" + count + " parked deliveries dropped).";
            case "revoked" -> "The API key was revoked.";
            default -> "";
        };
    }

    @GET
    @Path("{id}")
    public Response show(@PathParam("id") String id) {
        JsonNode letter = page.get(Apis.Service.DISPATCHER, "/v1/dead-letters/" + Apis.segment(id));
        Map<String, Object> data = new HashMap<>();
        data.put("d", Apis.plain(letter));
        data.put("payload", letter.path("delivery").toPrettyString());
        data.put("history", letter.path("history").isArray() ? Apis.plain(letter.path("history")) : List.of());
        return Page.html(page.render("dead-letter", "dead-letters", data));
    }

    @POST
    @Path("{id}/replay")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response replayOne(@PathParam("id") String id, @FormParam("csrf") String csrf) {
        page.submit(csrf, Apis.Service.DISPATCHER, "POST", "/v1/dead-letters/" + Apis.segment(id) + "/replay");
        return Page.redirect("/dead-letters?done=replayed&n=1");
    }

    @POST
    @Path("{id}/purge")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response purgeOne(@PathParam("id") String id, @FormParam("csrf") String csrf) {
        page.submit(csrf, Apis.Service.DISPATCHER, "DELETE", "/v1/dead-letters/" + Apis.segment(id));
        return Page.redirect("/dead-letters?done=purged&n=1");
    }

    /** The ticked ones, one call each. */
    @POST
    @Path("selection")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response selection(@FormParam("id") List<String> ids, @FormParam("action") String action,
            @FormParam("csrf") String csrf) {
        page.checkCsrf(csrf);
        boolean replay = "replay".equals(action);
        int done = 0;
        for (String id : ids == null ? List.<String>of() : ids) {
            if (replay) {
                page.call(Apis.Service.DISPATCHER, "POST", "/v1/dead-letters/" + Apis.segment(id) + "/replay", null);
            } else {
                page.call(Apis.Service.DISPATCHER, "DELETE", "/v1/dead-letters/" + Apis.segment(id), null);
            }
            done++;
        }
        return Page.redirect("/dead-letters?done=" + (replay ? "replayed" : "purged") + "&n=" + done);
    }

    /** What a filter matches, stated before anything is done to it. */
    @GET
    @Path("confirm")
    public Response confirm(@BeanParam Filter filter, @QueryParam("action") String action) {
        String verb = "replay".equals(action) ? "replay" : "purge";
        Map<String, String> query = new HashMap<>(filter.parameters());
        query.put("limit", "1");
        if (filter.parameters().isEmpty()) {
            query.put("all", "true");
        }
        long total = page.get(Apis.Service.DISPATCHER, "/v1/dead-letters" + Apis.query(query)).path("total").asLong();
        return Page.html(page.render("dead-letters-confirm", "dead-letters", Map.of("f", filter.parameters(),
                "action", verb, "total", total)));
    }

    @POST
    @Path("bulk")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response bulk(@FormParam("room") String room, @FormParam("reason") String reason,
            @FormParam("kind") String kind, @FormParam("destination") String destination,
            @FormParam("older_than") String olderThan, @FormParam("action") String action,
            @FormParam("csrf") String csrf) {
        page.checkCsrf(csrf);
        Filter filter = new Filter();
        filter.room = room;
        filter.reason = reason;
        filter.kind = kind;
        filter.destination = destination;
        filter.olderThan = olderThan;
        Map<String, String> query = new HashMap<>(filter.parameters());
        if (query.isEmpty()) {
            query.put("all", "true");
        }
        if ("replay".equals(action)) {
            JsonNode answer = page.call(Apis.Service.DISPATCHER, "POST", "/v1/dead-letters/replay" + Apis.query(query),
                    null);
            return Page.redirect("/dead-letters?done=replayed&n=" + answer.path("replayed").asInt());
        }
        JsonNode answer = page.call(Apis.Service.DISPATCHER, "DELETE", "/v1/dead-letters" + Apis.query(query), null);
        return Page.redirect("/dead-letters?done=purged&n=" + answer.path("purged").asInt());
    }
}

package io.herald.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.PermitAll;
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
import java.util.Map;

/** A room's queue (the dispatcher's {@code /v1/rooms/{room}/queue}): what waits, flush, purge. */
@Path(Page.ROOT + "/queues")
@PermitAll
@Blocking
public class QueuePages {

    private final Page page;

    QueuePages(Page page) {
        this.page = page;
    }

    @GET
    public Response pick(@QueryParam("room") String room) {
        if (room != null && !room.isBlank()) {
            return Page.redirect("/queues/" + Apis.segment(room.strip()));
        }
        return Page.redirect("/dead-letters");
    }

    @GET
    @Path("{room}")
    public Response queue(@PathParam("room") String room, @QueryParam("done") String done, @QueryParam("n") Integer n) {
        JsonNode queue = page.get(Apis.Service.DISPATCHER, path(room) + "?limit=200");
        Map<String, Object> data = new HashMap<>();
        data.put("room", room);
        data.put("q", Apis.plain(queue));
        data.put("notice", DeadLetterPages.notice(done, n));
        return Page.html(page.render("queue", "dead-letters", data));
    }

    @POST
    @Path("{room}/flush")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response flush(@PathParam("room") String room, @FormParam("csrf") String csrf) {
        JsonNode answer = page.submit(csrf, Apis.Service.DISPATCHER, "POST", path(room) + "/flush");
        return Page.redirect("/queues/" + Apis.segment(room) + "?done=flushed&n=" + answer.path("destinations").asInt());
    }

    @POST
    @Path("{room}/purge")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response purge(@PathParam("room") String room, @FormParam("csrf") String csrf) {
        JsonNode answer = page.submit(csrf, Apis.Service.DISPATCHER, "DELETE", path(room));
        return Page.redirect("/queues/" + Apis.segment(room) + "?done=queue-purged&n=" + answer.path("waiting").asInt());
    }

    private static String path(String room) {
        return "/v1/rooms/" + Apis.segment(room) + "/queue";
    }
}

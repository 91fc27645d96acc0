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
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** API keys (ingest's {@code /v1/admin/api-keys}): list, create (the key is shown once, on the answer), revoke. */
@Path(Page.ROOT + "/api-keys")
@PermitAll
@Blocking
public class ApiKeyPages {

    private final Page page;

    ApiKeyPages(Page page) {
        this.page = page;
    }

    @GET
    public Response list(@QueryParam("done") String done) {
        return Page.html(render(Map.of("notice", DeadLetterPages.notice(done, null), "created", Map.of())));
    }

    private String render(Map<String, Object> extra) {
        Map<String, Object> data = new HashMap<>(extra);
        List<Map<String, Object>> keys = new java.util.ArrayList<>();
        for (JsonNode k : page.get(Apis.Service.INGEST, "/v1/admin/api-keys")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> key = (Map<String, Object>) Apis.plain(k);
            List<String> rooms = new java.util.ArrayList<>();
            k.path("rooms").forEach(r -> rooms.add(r.asText()));
            key.put("room_list", String.join(", ", rooms));
            keys.add(key);
        }
        data.put("apiKeys", keys); // not "keys": the root data is a map, whose "keys" are its own
        data.put("tenant", page.session().tenant() == null ? "" : page.session().tenant());
        return page.render("api-keys", "api-keys", data);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@FormParam("csrf") String csrf, @FormParam("name") String name,
            @FormParam("tenant") String tenant, @FormParam("rooms") String rooms, @FormParam("label") String label,
            @FormParam("sender") String sender) {
        page.checkCsrf(csrf);
        Map<String, Object> body = new LinkedHashMap<>();
        putIfPresent(body, "name", name);
        putIfPresent(body, "tenant", tenant);
        putIfPresent(body, "label", label);
        putIfPresent(body, "sender", sender);
        List<String> roomList = rooms == null ? List.of() : Arrays.stream(rooms.split("[,\\s]+"))
                .filter(r -> !r.isBlank()).toList();
        body.put("rooms", roomList);
        JsonNode created = page.call(Apis.Service.INGEST, "POST", "/v1/admin/api-keys", body);
        // Rendered on the answer to the POST, never stored: the only time the key is shown.
        return Page.html(render(Map.of("notice", "", "created", Apis.plain(created))));
    }

    private static void putIfPresent(Map<String, Object> body, String name, String value) {
        if (value != null && !value.isBlank()) {
            body.put(name, value.strip());
        }
    }

    @POST
    @Path("{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revoke(@PathParam("id") String id, @FormParam("csrf") String csrf) {
        page.submit(csrf, Apis.Service.INGEST, "DELETE", "/v1/admin/api-keys/" + Apis.segment(id));
        return Page.redirect("/api-keys?done=revoked");
    }
}

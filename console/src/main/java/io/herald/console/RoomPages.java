package io.herald.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rooms (the rules-service's {@code /v1/rooms}) with their Matrix link and account, members and their pushers, and
 * the dispatcher's Matrix accounts.
 */
@Path(Page.ROOT + "/rooms")
@PermitAll
@Blocking
public class RoomPages {

    private final Page page;

    RoomPages(Page page) {
        this.page = page;
    }

    @GET
    public Response rooms() {
        Map<String, Object> data = new HashMap<>();
        data.put("rooms", Apis.plain(page.get(Apis.Service.RULES, "/v1/rooms")));
        Object accounts;
        try {
            accounts = Apis.plain(page.get(Apis.Service.DISPATCHER, "/v1/matrix-accounts"));
        } catch (ApiException e) {
            accounts = List.of(); // an admin of one tenant does not see the accounts (they serve every tenant)
        }
        data.put("accounts", accounts);
        return Page.html(page.render("rooms", "rooms", data));
    }

    @GET
    @Path("{room}")
    public Response room(@PathParam("room") String room) {
        JsonNode view = page.get(Apis.Service.RULES, "/v1/rooms/" + Apis.segment(room));
        List<Map<String, Object>> members = new ArrayList<>();
        for (JsonNode m : page.get(Apis.Service.RULES, "/v1/rooms/" + Apis.segment(room) + "/members")) {
            Map<String, Object> member = new HashMap<>();
            member.put("user_id", m.path("user_id").asText());
            member.put("display_name", m.path("display_name").asText(""));
            member.put("power_level", m.path("power_level").asLong());
            List<String> pushers = new ArrayList<>();
            try {
                page.get(Apis.Service.RULES, "/v1/users/" + Apis.segment(m.path("user_id").asText()) + "/pushers")
                        .path("pushers").forEach(p -> pushers.add(p.path("app_display_name").asText(
                                p.path("app_id").asText()) + " on " + p.path("device_display_name").asText("?")));
            } catch (ApiException e) {
                pushers.add("(" + e.getMessage() + ")");
            }
            member.put("pushers", pushers);
            members.add(member);
        }
        return Page.html(page.render("room", "rooms", Map.of("r", Apis.plain(view), "members", members)));
    }
}

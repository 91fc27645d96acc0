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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rooms (the rules-service's {@code /v1/rooms}) with their Matrix link and account, members and their pushers, and
 * the dispatcher's Matrix accounts: add one by password login (the homeserver discovered from the user id), see
 * whether its token still works, join a room as it and link a Herald room to that Matrix room.
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
    public Response rooms(@QueryParam("done") String done, @QueryParam("account") String account,
            @QueryParam("room_id") String roomId, @QueryParam("room") String room) {
        String notice = switch (done == null ? "" : done) {
            case "account-added" -> "Account " + account + " logged in and was added.";
            case "joined" -> "Account " + account + " joined " + roomId + ". Link a Herald room to it below.";
            case "linked" -> "Room " + room + " now posts into " + roomId + " as " + account + ".";
            default -> "";
        };
        Map<String, Object> data = roomsData(notice);
        if ("joined".equals(done)) {
            data.put("linkRoomId", roomId);
            data.put("linkAccount", account);
        }
        return Page.html(page.render("rooms", "rooms", data));
    }

    /** Whether an account's token still works (a whoami at its homeserver; nothing changes, hence a GET). */
    @GET
    @Path("accounts/{id}/token")
    public Response checkToken(@PathParam("id") String id) {
        JsonNode check = page.get(Apis.Service.DISPATCHER, "/v1/matrix-accounts/" + Apis.segment(id) + "/token");
        JsonNode valid = check.path("valid");
        String notice;
        if (valid.isBoolean() && valid.booleanValue()) {
            notice = "The token of account " + id + " works: it is " + check.path("user_id").asText() + "'s.";
        } else if (valid.isBoolean()) {
            notice = "The token of account " + id + " does not work (" + check.path("error").asText()
                    + "). An account that keeps its password logs in again at its next delivery; else add it again.";
        } else {
            notice = "The homeserver of account " + id + " could not say whether its token works: "
                    + check.path("error").asText();
        }
        Map<String, Object> data = roomsData(notice);
        data.put("checked", id);
        return Page.html(page.render("rooms", "rooms", data));
    }

    /** A new account by password login; the password is kept (encrypted) only when re-login is asked for. */
    @POST
    @Path("accounts")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response addAccount(@FormParam("csrf") String csrf, @FormParam("id") String id,
            @FormParam("user_id") String userId, @FormParam("password") String password,
            @FormParam("homeserver") String homeserver, @FormParam("relogin") String relogin) {
        page.checkCsrf(csrf);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", strip(id));
        body.put("user_id", strip(userId));
        body.put("password", password);
        if (homeserver != null && !homeserver.isBlank()) {
            body.put("homeserver", homeserver.strip());
        }
        body.put("relogin", relogin != null);
        page.call(Apis.Service.DISPATCHER, "POST", "/v1/matrix-accounts", body);
        return Page.redirect("/rooms" + Apis.query(Map.of("done", "account-added", "account", strip(id))));
    }

    @POST
    @Path("accounts/{id}/join")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response join(@PathParam("id") String id, @FormParam("csrf") String csrf, @FormParam("room") String room) {
        page.checkCsrf(csrf);
        JsonNode joined = page.call(Apis.Service.DISPATCHER, "POST", "/v1/matrix-accounts/" + Apis.segment(id) + "/join",
                Map.of("room", strip(room)));
        return Page.redirect("/rooms" + Apis.query(Map.of("done", "joined", "account", id,
                "room_id", joined.path("room_id").asText())));
    }

    /** Links a Herald room (created when new) to a Matrix room and the account that posts there. */
    @POST
    @Path("link")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response link(@FormParam("csrf") String csrf, @FormParam("room") String room,
            @FormParam("matrix_room_id") String matrixRoomId, @FormParam("account") String account) {
        page.checkCsrf(csrf);
        page.call(Apis.Service.RULES, "PUT", "/v1/rooms/" + Apis.segment(strip(room)),
                Map.of("matrix_room_id", strip(matrixRoomId), "account", strip(account)));
        return Page.redirect("/rooms" + Apis.query(Map.of("done", "linked", "room", strip(room),
                "room_id", strip(matrixRoomId), "account", strip(account))));
    }

    private static String strip(String value) {
        return value == null ? "" : value.strip();
    }

    private Map<String, Object> roomsData(String notice) {
        Map<String, Object> data = new HashMap<>();
        data.put("notice", notice);
        data.put("checked", "");
        data.put("linkRoomId", "");
        data.put("linkAccount", "");
        data.put("rooms", Apis.plain(page.get(Apis.Service.RULES, "/v1/rooms")));
        Object accounts;
        try {
            accounts = Apis.plain(page.get(Apis.Service.DISPATCHER, "/v1/matrix-accounts"));
        } catch (ApiException e) {
            accounts = List.of(); // an admin of one tenant does not see the accounts (they serve every tenant)
        }
        data.put("accounts", accounts);
        return data;
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

package io.herald.rules.counts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.common.Limits;
import io.herald.rules.push.MatrixError;
import io.herald.rules.push.OwnMatrixUser;
import io.herald.rules.push.PushStore;
import io.herald.security.MatrixApi;
import io.herald.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * A user's recent notifying events with their actions, as the client-server {@code GET /notifications} lists them
 * (Synapse's format: {@code room_id}, {@code profile_tag}, {@code actions}, {@code ts}, {@code event} without its room
 * id, {@code read}; {@code next_token} to page back with {@code from}).
 */
@Path("/v1/users/{userId}/notifications")
@Produces(MediaType.APPLICATION_JSON)
@MatrixApi
@RolesAllowed({Roles.ADMIN, Roles.MATRIX_USER})
@OwnMatrixUser
public class NotificationsResource {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private final Counts counts;

    NotificationsResource(Counts counts) {
        this.counts = counts;
    }

    @GET
    public JsonNode list(@PathParam("userId") String userId, @QueryParam("from") String from,
            @QueryParam("limit") String limit, @QueryParam("only") String only) {
        if (Limits.userIdProblem(userId) != null) {
            throw MatrixError.invalidParam("not a Matrix user id: " + userId);
        }
        long before = Long.MAX_VALUE;
        if (from != null) {
            try {
                before = Long.parseLong(from);
            } catch (NumberFormatException e) {
                throw MatrixError.unknown("Query parameter \"from\" contains unrecognised token");
            }
        }
        int max = DEFAULT_LIMIT;
        if (limit != null) {
            try {
                max = Math.max(0, Math.min(Integer.parseInt(limit), MAX_LIMIT));
            } catch (NumberFormatException e) {
                throw MatrixError.invalidParam("limit must be an integer");
            }
        }
        List<Counts.Listed> rows = counts.notifications(userId, before, max, "highlight".equals(only));
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode list = out.putArray("notifications");
        for (Counts.Listed row : rows) {
            ObjectNode n = list.addObject();
            n.put("room_id", row.roomId());
            n.putNull("profile_tag");
            n.set("actions", PushStore.readTree(row.actionsJson()));
            n.put("ts", row.ts());
            ObjectNode event = row.eventJson() == null ? JsonNodeFactory.instance.objectNode()
                    : (ObjectNode) PushStore.readTree(row.eventJson());
            event.remove("room_id");
            n.set("event", event);
            n.put("read", row.read());
        }
        if (rows.isEmpty()) {
            out.putNull("next_token");
        } else {
            out.put("next_token", Long.toString(rows.get(rows.size() - 1).pos()));
        }
        return out;
    }
}

package io.herald.rules.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.common.Limits;
import io.herald.common.problem.Problem;
import io.herald.pushrules.JsonEvaluator;
import io.herald.pushrules.PushRulesJson;
import io.herald.rules.room.Room;
import io.herald.rules.room.VisibleRooms;
import io.herald.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /v1/push-rules/evaluate}: the push-rules CLI contract for one event ({@code {"error"}} with 400 for a
 * malformed request), or {@code {"room", "event"}}: the result for every member of a Herald room with their stored
 * rules.
 */
@Path("/v1/push-rules/evaluate")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.OPERATOR)
public class EvaluateResource {

    private final RoomEvaluator evaluator;
    private final VisibleRooms rooms;

    EvaluateResource(RoomEvaluator evaluator, VisibleRooms rooms) {
        this.evaluator = evaluator;
        this.rooms = rooms;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response evaluate(String body) {
        JsonNode request;
        try {
            request = body == null || body.isBlank() ? null : PushRulesJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return error("invalid JSON: " + e.getOriginalMessage());
        }
        if (request == null || !request.isObject()) {
            return error("the request must be a JSON object");
        }
        JsonNode room = request.get("room");
        if (room == null || room.isNull()) {
            ObjectNode result = JsonEvaluator.shared().evaluateOrError(request);
            return Response.status(result.has("error") ? 400 : 200).entity(result).build();
        }
        if (!room.isTextual()) {
            return error("room must be a string");
        }
        JsonNode event = request.get("event");
        if (event == null || !event.isObject()) {
            return error("event is required and must be a JSON object");
        }
        Room entity = rooms.find(room.textValue()); // 404 also for another tenant's room
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode results = out.putArray("results");
        for (RoomEvaluator.MemberResult r : evaluator.evaluate(entity.key, entity.matrixRoomId,
                ((ObjectNode) event).deepCopy(), false)) {
            ObjectNode o = results.addObject();
            o.put("user_id", r.member().userId());
            o.setAll(r.result().toJson());
        }
        return Response.ok(out).build();
    }

    private static Response error(String message) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("error", message);
        return Response.status(400).entity(o).build();
    }
}

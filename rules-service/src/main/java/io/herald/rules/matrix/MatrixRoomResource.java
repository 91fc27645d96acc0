package io.herald.rules.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.common.problem.Problem;
import io.herald.security.AllTenantsOnly;
import io.herald.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** What Herald knows of a Matrix room fed through herald.events: its members, names, power levels, creators. */
@Path("/v1/matrix-rooms/{roomId}")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.ADMIN, Roles.OPERATOR})
@AllTenantsOnly
public class MatrixRoomResource {

    private final StateStore store;

    MatrixRoomResource(StateStore store) {
        this.store = store;
    }

    @GET
    public JsonNode get(@PathParam("roomId") String roomId) {
        RoomState state = store.load(List.of(roomId)).get(roomId);
        if (state.memberCount() == 0 && state.piece(RoomState.CREATE) == null && state.piece(RoomState.NAME) == null
                && state.piece(RoomState.POWER_LEVELS) == null) {
            throw Problem.exception(Response.Status.NOT_FOUND, "Herald has no state of the Matrix room '" + roomId + "'");
        }
        return state.toJson();
    }
}

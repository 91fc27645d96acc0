package io.herald.rules.room;

import io.herald.common.Limits;
import io.herald.common.changes.ChangeEvent;
import io.herald.common.problem.Problem;
import io.herald.rules.push.PushCache;
import io.herald.security.Roles;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Admin API for Herald rooms. A room belongs to a tenant; an admin limited to a tenant sees and manages only its rooms
 * and creates rooms of that tenant.
 */
@Path("/v1/rooms")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
public class RoomResource {

    private final PushCache cache;
    private final VisibleRooms rooms;

    RoomResource(PushCache cache, VisibleRooms rooms) {
        this.cache = cache;
        this.rooms = rooms;
    }

    @GET
    public List<RoomView> list() {
        return rooms.list().stream().map(RoomView::of).toList();
    }

    @GET
    @Path("{room}")
    public RoomView get(@PathParam("room") String key) {
        return RoomView.of(rooms.find(key));
    }

    /** Creates the room (201) or replaces its link (200). */
    @PUT
    @Path("{room}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response put(@PathParam("room") @Pattern(regexp = Limits.ROOM_KEY_PATTERN, message = Limits.ROOM_KEY_MESSAGE) String room,
            @Valid @NotNull(message = "a JSON object is required") RoomRequest request) {
        Optional<String> scope = rooms.tenant();
        if (request.tenant() != null && scope.isPresent() && !scope.get().equals(request.tenant())) {
            throw Problem.exception(Response.Status.FORBIDDEN, "this admin is limited to tenant '" + scope.get() + "'");
        }
        Response response = QuarkusTransaction.requiringNew().call(() -> upsert(room, request, scope));
        cache.changed(ChangeEvent.Kind.ROOM, room); // after the commit, so a concurrent load cannot keep the old link
        return response;
    }

    private Response upsert(String room, RoomRequest request, Optional<String> scope) {
        Room entity = Room.findById(room);
        boolean created = entity == null;
        Instant now = Instant.now();
        if (created) {
            entity = new Room();
            entity.key = room;
            entity.tenant = request.tenant() != null ? request.tenant() : scope.orElse(null);
            entity.createdAt = now;
        } else if (!rooms.visible(entity)) {
            throw Problem.exception(Response.Status.CONFLICT, "the room key '" + room + "' is taken by another tenant");
        } else if (request.tenant() != null) {
            entity.tenant = request.tenant();
        }
        entity.matrixRoomId = request.matrixRoomId();
        entity.account = request.account();
        if (request.sourceAccounts() != null) {
            entity.sourceAccounts = request.sourceAccounts().isEmpty() ? null : String.join(",", request.sourceAccounts());
        }
        entity.updatedAt = now;
        entity.persist();
        return Response.status(created ? Response.Status.CREATED : Response.Status.OK).entity(RoomView.of(entity)).build();
    }

    @DELETE
    @Path("{room}")
    public Response delete(@PathParam("room") String key) {
        QuarkusTransaction.requiringNew().run(() -> rooms.find(key).delete());
        // after the commit: members go with the room (ON DELETE CASCADE)
        cache.changed(ChangeEvent.Kind.ROOM, key);
        return Response.noContent().build();
    }
}

package io.herald.rules.room;

import io.herald.common.Limits;
import io.herald.common.changes.ChangeEvent;
import io.herald.common.problem.Problem;
import io.quarkus.narayana.jta.QuarkusTransaction;
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

/** Admin API for Herald rooms. */
@Path("/v1/rooms")
@Produces(MediaType.APPLICATION_JSON)
public class RoomResource {

    @jakarta.inject.Inject
    io.herald.rules.push.PushCache cache;

    @GET
    public List<RoomView> list() {
        return Room.<Room>listAll(io.quarkus.panache.common.Sort.by("key")).stream().map(RoomView::of).toList();
    }

    @GET
    @Path("{room}")
    public RoomView get(@PathParam("room") String key) {
        return RoomView.of(find(key));
    }

    /** Creates the room (201) or replaces its link (200). */
    @PUT
    @Path("{room}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response put(@PathParam("room") @Pattern(regexp = Limits.ROOM_KEY_PATTERN, message = Limits.ROOM_KEY_MESSAGE) String room,
            @Valid @NotNull(message = "a JSON object is required") RoomRequest request) {
        Response response = QuarkusTransaction.requiringNew().call(() -> upsert(room, request));
        cache.changed(ChangeEvent.Kind.ROOM, room); // after the commit, so a concurrent load cannot keep the old link
        return response;
    }

    private static Response upsert(String room, RoomRequest request) {
        Room entity = Room.findById(room);
        boolean created = entity == null;
        Instant now = Instant.now();
        if (created) {
            entity = new Room();
            entity.key = room;
            entity.createdAt = now;
        }
        entity.matrixRoomId = request.matrixRoomId();
        entity.account = request.account();
        entity.updatedAt = now;
        entity.persist();
        return Response.status(created ? Response.Status.CREATED : Response.Status.OK).entity(RoomView.of(entity)).build();
    }

    @DELETE
    @Path("{room}")
    public Response delete(@PathParam("room") String key) {
        QuarkusTransaction.requiringNew().run(() -> find(key).delete());
        // after the commit: members go with the room (ON DELETE CASCADE)
        cache.changed(ChangeEvent.Kind.ROOM, key);
        return Response.noContent().build();
    }

    private static Room find(String key) {
        Room room = Limits.roomKeyProblem(key) != null ? null : Room.findById(key);
        if (room == null) {
            throw Problem.exception(Response.Status.NOT_FOUND, "no room '" + key + "'");
        }
        return room;
    }
}

package io.herald.rules.room;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.herald.common.Limits;
import io.herald.common.changes.ChangeEvent;
import io.herald.common.problem.Problem;
import io.herald.rules.push.PushCache;
import io.herald.rules.push.PushStore;
import io.herald.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Members of a Herald room: the recipients push rules are evaluated for. */
@Path("/v1/rooms/{room}/members")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
public class MemberResource {

    /** Body of {@code PUT /v1/rooms/{room}/members/{userId}}. */
    public record MemberRequest(@JsonProperty("display_name") @Size(max = 255)
            @Pattern(regexp = Limits.PRINTABLE_PATTERN, message = "must not contain control characters") String displayName,
            @JsonProperty("power_level") @Min(-9007199254740991L) @Max(9007199254740991L) Long powerLevel) {
    }

    /** A member as the API shows it. */
    public record MemberView(@JsonProperty("user_id") String userId, @JsonProperty("display_name") String displayName,
            @JsonProperty("power_level") long powerLevel) {
        static MemberView of(PushStore.MemberRow m) {
            return new MemberView(m.userId(), m.displayName(), m.powerLevel());
        }
    }

    private final PushStore store;
    private final PushCache cache;
    private final VisibleRooms rooms;

    MemberResource(PushStore store, PushCache cache, VisibleRooms rooms) {
        this.store = store;
        this.cache = cache;
        this.rooms = rooms;
    }

    @GET
    public List<MemberView> list(@PathParam("room") String room) {
        requireRoom(room);
        return store.members(room).stream().map(MemberView::of).toList();
    }

    /** Adds (201) or updates (200) a member. */
    @PUT
    @Path("{userId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response put(@PathParam("room") String room,
            @PathParam("userId") @Size(max = Limits.MATRIX_ID_MAX_BYTES, message = Limits.USER_ID_MESSAGE)
            @Pattern(regexp = Limits.USER_ID_PATTERN, message = Limits.USER_ID_MESSAGE) String userId,
            @Valid MemberRequest request) {
        requireRoom(room);
        MemberRequest r = request == null ? new MemberRequest(null, null) : request;
        long level = r.powerLevel() == null ? 0 : r.powerLevel();
        boolean created = store.putMember(room, userId, r.displayName(), level);
        cache.changed(ChangeEvent.Kind.MEMBERS, room);
        return Response.status(created ? Response.Status.CREATED : Response.Status.OK)
                .entity(new MemberView(userId, r.displayName(), level)).build();
    }

    @DELETE
    @Path("{userId}")
    public Response delete(@PathParam("room") String room, @PathParam("userId") String userId) {
        requireRoom(room);
        if (Limits.userIdProblem(userId) != null || !store.deleteMember(room, userId)) {
            throw Problem.exception(Response.Status.NOT_FOUND, "no member '" + userId + "' in room '" + room + "'");
        }
        cache.changed(ChangeEvent.Kind.MEMBERS, room);
        return Response.noContent().build();
    }

    private void requireRoom(String room) {
        rooms.find(room);
    }
}

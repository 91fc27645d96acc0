package io.herald.ingest.queue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.common.Limits;
import io.herald.ingest.auth.Caller;
import io.herald.ingest.auth.RoomAccess;
import io.herald.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * A room's queue for the API keys that may post to it: what is waiting, purging it (the dropped deliveries are
 * recorded as {@code purged}, never sent), and trying its parked deliveries now. Answered by the dispatcher, for the
 * key's tenant only.
 */
@Path("/v1/rooms/{room}/queue")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "status")
@SecurityRequirement(name = "apiKey")
@RolesAllowed(Roles.PUBLISHER)
@RoomAccess
public class RoomQueueResource {

    private final DispatcherClient dispatcher;
    private final Caller caller;

    RoomQueueResource(DispatcherClient dispatcher, Caller caller) {
        this.dispatcher = dispatcher;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "What is waiting for the room (pending or retrying), oldest first")
    @APIResponse(responseCode = "200", description = "{room, deliveries[], total, purged_before, unanswered}")
    public Uni<JsonNode> list(@PathParam("room") @Pattern(regexp = Limits.ROOM_KEY_PATTERN,
            message = Limits.ROOM_KEY_MESSAGE) String room,
            @QueryParam("limit") @Min(value = 1, message = "must be 1-1000") @Max(value = 1000,
                    message = "must be 1-1000") Integer limit) {
        return dispatcher.call("GET", path(room) + (limit == null ? "" : "?limit=" + limit), caller.key().tenant());
    }

    @DELETE
    @Operation(summary = "Purge the room's queue", description = "Every delivery of the room accepted before now is"
            + " recorded as purged and never sent; one whose send is already under way is delivered.")
    @APIResponse(responseCode = "200", description = "{room, purged_before, waiting}")
    public Uni<JsonNode> purge(@PathParam("room") @Pattern(regexp = Limits.ROOM_KEY_PATTERN,
            message = Limits.ROOM_KEY_MESSAGE) String room) {
        return dispatcher.call("DELETE", path(room), caller.key().tenant());
    }

    @POST
    @Path("flush")
    @Operation(summary = "Try the room's parked deliveries now (the homeserver is back)")
    @APIResponse(responseCode = "200", description = "{room, destinations}")
    public Uni<JsonNode> flush(@PathParam("room") @Pattern(regexp = Limits.ROOM_KEY_PATTERN,
            message = Limits.ROOM_KEY_MESSAGE) String room) {
        return dispatcher.call("POST", path(room) + "/flush", caller.key().tenant());
    }

    private static String path(String room) {
        return "/v1/rooms/" + DispatcherClient.segment(room) + "/queue";
    }
}

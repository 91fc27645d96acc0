package io.herald.dispatcher.delivery;

import io.herald.common.problem.Problem;
import io.smallrye.common.annotation.Blocking;
import io.herald.security.Callers;
import io.quarkus.security.identity.SecurityIdentity;
import io.herald.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.QueryParam;
import io.herald.common.Limits;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The delivery log: how a delivery ended, or that it is waiting. An operator limited to a tenant sees its tenant's. */
@Path("/v1/deliveries")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.OPERATOR)
@Blocking
public class DeliveryResource {

    private final DeliveryLog log;
    private final SecurityIdentity caller;

    DeliveryResource(DeliveryLog log, SecurityIdentity caller) {
        this.log = log;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "The latest deliveries of a room (or of every room), newest first, without their attempts")
    public java.util.List<DeliveryLogEntry> recent(@QueryParam("room") String room,
            @QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 500) {
            throw Problem.exception(Response.Status.BAD_REQUEST, "limit must be between 1 and 500");
        }
        if (room != null && Limits.roomKeyProblem(room) != null) {
            throw Problem.exception(Response.Status.BAD_REQUEST, "room: " + Limits.ROOM_KEY_MESSAGE);
        }
        return log.recent(room, Callers.tenant(caller).orElse(null), limit);
    }

    @GET
    @Path("{id}")
    public DeliveryLogEntry get(@PathParam("id") String id) {
        return log.find(id).filter(entry -> Callers.mayAccess(caller, entry.tenant())).orElseThrow(() -> Problem.exception(Response.Status.NOT_FOUND, "no delivery '" + id + "' in the log"));
    }
}

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
    @Path("{id}")
    public DeliveryLogEntry get(@PathParam("id") String id) {
        return log.find(id).filter(entry -> Callers.mayAccess(caller, entry.tenant())).orElseThrow(() -> Problem.exception(Response.Status.NOT_FOUND, "no delivery '" + id + "' in the log"));
    }
}

package io.herald.dispatcher.delivery;

import io.herald.common.problem.Problem;
import io.smallrye.common.annotation.Blocking;
import io.herald.security.AllTenantsOnly;
import io.herald.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The delivery log: how a delivery ended. For operators of every tenant (follow-up: by the delivery's tenant). */
@Path("/v1/deliveries")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.OPERATOR)
@AllTenantsOnly
@Blocking
public class DeliveryResource {

    private final DeliveryLog log;

    DeliveryResource(DeliveryLog log) {
        this.log = log;
    }

    @GET
    @Path("{id}")
    public DeliveryLogEntry get(@PathParam("id") String id) {
        return log.find(id).orElseThrow(() -> Problem.exception(Response.Status.NOT_FOUND, "no delivery '" + id + "' in the log"));
    }
}

package io.herald.dispatcher.delivery;

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

/** The delivery log: how a delivery ended. For operators of every tenant (follow-up: by the delivery's tenant). */
@Path("/v1/deliveries")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.OPERATOR)
@AllTenantsOnly
public class DeliveryResource {

    @GET
    @Path("{id}")
    public DeliveryLogEntry get(@PathParam("id") String id) {
        DeliveryLogEntry entry = DeliveryLogEntry.findById(id);
        if (entry == null) {
            throw Problem.exception(Response.Status.NOT_FOUND, "no finished delivery '" + id + "'");
        }
        return entry;
    }
}

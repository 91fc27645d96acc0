package io.herald.dispatcher.delivery;

import io.herald.common.problem.Problem;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The delivery log: how a delivery ended. */
@Path("/v1/deliveries")
@Produces(MediaType.APPLICATION_JSON)
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

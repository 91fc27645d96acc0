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

    /** A text search without {@code since} looks this far back (the summaries are not indexed for text). */
    static final java.time.Duration TEXT_SEARCH_WINDOW = java.time.Duration.ofHours(24);

    @GET
    @Operation(summary = "The latest deliveries, newest first (by last update), without their attempts",
            description = "Optionally of one room, updated within since..until (ISO-8601 instants), and whose message"
                    + " contains text (case-insensitive; the first 200 characters of its body; without since, within"
                    + " the last 24 hours).")
    public java.util.List<DeliveryLogEntry> recent(@QueryParam("room") String room,
            @QueryParam("since") String since, @QueryParam("until") String until, @QueryParam("text") String text,
            @QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 500) {
            throw Problem.exception(Response.Status.BAD_REQUEST, "limit must be between 1 and 500");
        }
        if (room != null && Limits.roomKeyProblem(room) != null) {
            throw Problem.exception(Response.Status.BAD_REQUEST, "room: " + Limits.ROOM_KEY_MESSAGE);
        }
        String words = text == null || text.isBlank() ? null : text.strip();
        if (words != null && (words.length() > 200 || words.indexOf('\0') >= 0)) {
            throw Problem.exception(Response.Status.BAD_REQUEST, "text must be at most 200 characters, without NUL");
        }
        java.time.Instant from = instant("since", since);
        java.time.Instant to = instant("until", until);
        if (words != null && from == null) {
            from = (to == null ? java.time.Instant.now() : to).minus(TEXT_SEARCH_WINDOW);
        }
        return log.recent(new DeliveryLog.Search(room == null || room.isBlank() ? null : room,
                Callers.tenant(caller).orElse(null), from, to, words), limit);
    }

    private static java.time.Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return java.time.Instant.parse(value.strip());
        } catch (java.time.format.DateTimeParseException e) {
            throw Problem.exception(Response.Status.BAD_REQUEST, name + " must be an ISO-8601 instant like"
                    + " 2026-12-03T14:02:00Z");
        }
    }

    @GET
    @Path("{id}")
    public DeliveryLogEntry get(@PathParam("id") String id) {
        return log.find(id).filter(entry -> Callers.mayAccess(caller, entry.tenant())).orElseThrow(() -> Problem.exception(Response.Status.NOT_FOUND, "no delivery '" + id + "' in the log"));
    }
}

package io.herald.dispatcher.deadletter;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.common.Json;
import io.herald.common.problem.Problem;
import io.herald.security.Callers;
import io.herald.security.Roles;
import io.smallrye.common.annotation.Blocking;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * Dead letters: list with filters, show one, replay (one, a filter, all) and purge (one, a filter, all). Replaying
 * or purging everything needs {@code all=true}, so an empty filter never does it by accident. An operator limited to a
 * tenant sees and manages only that tenant's dead letters (others' are 404, as if they did not exist).
 */
@Path("/v1/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@RolesAllowed(Roles.OPERATOR)
public class DeadLetterResource {

    /** Query parameters shared by list, replay and purge. */
    public static class FilterParams {
        @QueryParam("room")
        String room;
        @QueryParam("destination")
        String destination;
        @QueryParam("kind")
        String kind;
        @QueryParam("reason")
        String reason;
        /** ISO-8601 duration, e.g. {@code PT1H}: dead for longer than this. */
        @QueryParam("older_than")
        String olderThan;
        /** ISO-8601 duration: dead for less than this. */
        @QueryParam("newer_than")
        String newerThan;
        @QueryParam("all")
        @DefaultValue("false")
        boolean all;

        DeadLetterStore.Filter toFilter(String tenant) {
            if (kind != null && !kind.equals("matrix_room") && !kind.equals("push")) {
                throw Problem.exception(Response.Status.BAD_REQUEST, "kind must be matrix_room or push");
            }
            return new DeadLetterStore.Filter(room, destination, kind, reason, duration("older_than", olderThan),
                    duration("newer_than", newerThan), tenant);
        }

        private static Duration duration(String name, String value) {
            if (value == null) {
                return null;
            }
            try {
                return Duration.parse(value);
            } catch (DateTimeParseException e) {
                throw Problem.exception(Response.Status.BAD_REQUEST, name + " must be an ISO-8601 duration like PT1H");
            }
        }
    }

    public record Summary(String deliveryId, String notificationId, String room, String destination,
            String destinationKind, String reason, Integer lastStatus, int attempts, Instant deadAt) {
        static Summary of(DeadLetter d) {
            return new Summary(d.deliveryId, d.notificationId, d.roomKey, d.destination, d.destinationKind, d.reason,
                    d.lastStatus, d.attempts, d.deadAt);
        }
    }

    public record Detail(String deliveryId, String notificationId, String room, String destination,
            String destinationKind, String reason, Integer lastStatus, int attempts, Instant deadAt, JsonNode delivery,
            JsonNode history) {
    }

    private final DeadLetterStore store;
    private final SecurityIdentity caller;

    DeadLetterResource(DeadLetterStore store, SecurityIdentity caller) {
        this.store = store;
        this.caller = caller;
    }

    @GET
    public Map<String, Object> list(@BeanParam FilterParams params, @QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw Problem.exception(Response.Status.BAD_REQUEST, "limit must be between 1 and 1000");
        }
        DeadLetterStore.Filter filter = params.toFilter(Callers.tenant(caller).orElse(null));
        List<Summary> letters = store.list(filter, limit).stream().map(Summary::of).toList();
        return Map.of("dead_letters", letters, "total", store.count(filter));
    }

    @GET
    @Path("{id}")
    public Detail show(@PathParam("id") String id) {
        DeadLetter d = find(id);
        return new Detail(d.deliveryId, d.notificationId, d.roomKey, d.destination, d.destinationKind, d.reason,
                d.lastStatus, d.attempts, d.deadAt, Json.decode(d.payload, JsonNode.class),
                d.history == null ? null : Json.decode(d.history, JsonNode.class));
    }

    @POST
    @Path("{id}/replay")
    public Response replayOne(@PathParam("id") String id) {
        return Response.accepted(Map.of("replayed", store.replay(List.of(find(id))))).build();
    }

    @POST
    @Path("replay")
    public Response replay(@BeanParam FilterParams params) {
        DeadLetterStore.Filter filter = guarded(params);
        // Ids first: a replayed delivery that dies again at once must not be replayed again by this request.
        List<String> ids = store.ids(filter);
        int replayed = 0;
        for (int from = 0; from < ids.size(); from += 500) {
            replayed += store.replay(store.findAll(ids.subList(from, Math.min(ids.size(), from + 500))));
        }
        return Response.accepted(Map.of("replayed", replayed)).build();
    }

    @DELETE
    @Path("{id}")
    public Response purgeOne(@PathParam("id") String id) {
        find(id);
        store.delete(id);
        return Response.noContent().build();
    }

    @DELETE
    public Map<String, Object> purge(@BeanParam FilterParams params) {
        return Map.of("purged", store.purge(guarded(params)));
    }

    private DeadLetterStore.Filter guarded(FilterParams params) {
        DeadLetterStore.Filter filter = params.toFilter(Callers.tenant(caller).orElse(null));
        if (filter.isEmpty() && !params.all) {
            throw Problem.exception(Response.Status.BAD_REQUEST,
                    "no filter given: add filters (room, destination, kind, reason, older_than, newer_than) or all=true");
        }
        return filter;
    }

    private DeadLetter find(String id) {
        DeadLetter d = store.find(id);
        if (d == null || !Callers.mayAccess(caller, d.tenant)) {
            throw Problem.exception(Response.Status.NOT_FOUND, "no dead letter '" + id + "'");
        }
        return d;
    }
}

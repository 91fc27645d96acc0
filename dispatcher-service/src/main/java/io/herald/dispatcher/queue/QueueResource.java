package io.herald.dispatcher.queue;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.herald.common.Limits;
import io.herald.common.changes.ChangeEvent;
import io.herald.common.changes.ChangeFeed;
import io.herald.common.problem.Problem;
import io.herald.dispatcher.delivery.Lanes;
import io.herald.security.Callers;
import io.herald.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.logging.Logger;

/**
 * The sender-facing queue: a notification's deliveries, a room's waiting deliveries, purging and flushing them. For
 * operators; ingest calls it for API keys (with a service token of its own and the key's tenant as {@code tenant}),
 * after checking the key's rooms. A caller limited to a tenant is held to it; others may name one with {@code tenant}.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.OPERATOR)
@Blocking
public class QueueResource {

    private static final Logger LOG = Logger.getLogger(QueueResource.class);

    public record NotificationStatus(String id, String state, List<DeliveryState> deliveries) {
    }

    /**
     * @param total      how many wait (parked, and held in memory by the instances that answered)
     * @param unanswered instances whose deliveries in memory could not be read in time (0: the list is whole)
     */
    public record RoomQueue(String room, List<DeliveryState> deliveries, long total,
            @JsonProperty("purged_before") Instant purgedBefore, int unanswered) {
    }

    public record Purged(String room, @JsonProperty("purged_before") Instant purgedBefore, long waiting) {
    }

    public record Flushed(String room, int destinations) {
    }

    private final QueueStore store;
    private final PurgeFences fences;
    private final Flushes flushes;
    private final ChangeFeed changes;
    private final SecurityIdentity caller;
    private final Instances instances;
    private final Lanes lanes;

    QueueResource(QueueStore store, PurgeFences fences, Flushes flushes, ChangeFeed changes, SecurityIdentity caller,
            Instances instances, Lanes lanes) {
        this.instances = instances;
        this.lanes = lanes;
        this.store = store;
        this.fences = fences;
        this.flushes = flushes;
        this.changes = changes;
        this.caller = caller;
    }

    @GET
    @Path("notifications/{id}")
    @Operation(summary = "Every delivery of a notification, with its state",
            description = "pending (nothing known yet, or parked untried), retrying (with next_attempt_at), delivered"
                    + " (matrix_event_id), dead (last_error), rejected (a pushkey), purged.")
    public NotificationStatus notification(@PathParam("id") String id,
            @Parameter(description = "only this tenant's deliveries") @QueryParam("tenant") String tenant)
            throws SQLException {
        if (Limits.idProblem(id) != null) {
            throw Problem.exception(Response.Status.NOT_FOUND, "no notification '" + id + "'");
        }
        List<DeliveryState> deliveries = store.ofNotification(id, scope(tenant));
        return new NotificationStatus(id, QueueStore.overall(deliveries), deliveries);
    }

    @GET
    @Path("rooms/{room}/queue")
    @Operation(summary = "What is waiting for a room, oldest first",
            description = "Every delivery not purged that waits: parked ones (pending or retrying) and those the"
                    + " dispatcher instances hold in memory in their first seconds (each instance is asked for its"
                    + " own; unanswered counts those that did not answer within 2 s). Records not yet consumed from"
                    + " Kafka are not listed.")
    public RoomQueue queue(@PathParam("room") String room, @QueryParam("tenant") String tenant,
            @QueryParam("limit") Integer limit, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization)
            throws SQLException {
        checkRoom(room);
        String scope = scope(tenant);
        int max = limit == null ? 100 : Math.max(1, Math.min(limit, 1000));
        Instant fence = fences.fence(room, scope);
        Instances.Gathered others = instances.held(room, scope, authorization);
        Map<String, DeliveryState> waiting = new LinkedHashMap<>();
        store.waiting(room, scope, fence, max).forEach(d -> waiting.put(d.deliveryId(), d));
        long parked = store.countWaiting(room, scope, fence, false);
        long inMemory = 0;
        List<DeliveryState> held = new ArrayList<>(held(room, scope));
        held.addAll(others.deliveries());
        for (DeliveryState d : held) {
            // a delivery parked while the lists were read is listed once; one accepted before a purge is not waiting
            if ((fence == null || d.acceptedAt() == null || !d.acceptedAt().isBefore(fence))
                    && waiting.putIfAbsent(d.deliveryId(), d) == null) {
                inMemory++;
            }
        }
        List<DeliveryState> oldestFirst = waiting.values().stream()
                .sorted(Comparator.comparing(DeliveryState::acceptedAt, Comparator.nullsLast(Comparator.naturalOrder())))
                .limit(max).toList();
        return new RoomQueue(room, oldestFirst, parked + inMemory, fence, others.unanswered());
    }

    @GET
    @Path("rooms/{room}/queue/held")
    @Operation(summary = "What this instance holds in memory for a room",
            description = "The deliveries of the room this dispatcher instance received and has not settled or parked"
                    + " yet (its own partitions'); the other instances ask it when listing the room's queue.")
    public List<DeliveryState> held(@PathParam("room") String room, @QueryParam("tenant") String tenant) {
        checkRoom(room);
        return lanes.held(room, scope(tenant)).stream().map(h -> DeliveryState.held(h.delivery(), h.attempts()))
                .toList();
    }

    @DELETE
    @Path("rooms/{room}/queue")
    @Operation(summary = "Purge what is waiting for a room",
            description = "Every delivery of the room whose notification was accepted before now is settled as purged"
                    + " instead of being sent, wherever it waits; one whose send is already under way is delivered.")
    public Purged purge(@PathParam("room") String room, @QueryParam("tenant") String tenant) throws SQLException {
        checkRoom(room);
        String scope = scope(tenant);
        Instant before = fences.purge(room, scope);
        long waiting = store.countWaiting(room, scope, before, true);
        flush(room);
        LOG.infof("queue of room %s purged (tenant %s) before %s: %d parked deliveries", room,
                scope == null ? "*" : scope, before, waiting);
        return new Purged(room, before, waiting);
    }

    @POST
    @Path("rooms/{room}/queue/flush")
    @Operation(summary = "Try a room's parked deliveries now",
            description = "Their backoff is cut short; a host whose circuit is open still gets one probe at a time.")
    public Flushed flush(@PathParam("room") String room, @QueryParam("tenant") String tenant) throws SQLException {
        checkRoom(room);
        scope(tenant);
        return new Flushed(room, flush(room));
    }

    private int flush(String room) throws SQLException {
        int destinations = flushes.flushHere(room);
        changes.publish(ChangeEvent.Kind.QUEUE_FLUSH, room);
        return destinations;
    }

    private static void checkRoom(String room) {
        if (Limits.roomKeyProblem(room) != null) {
            throw Problem.exception(Response.Status.BAD_REQUEST, "room: " + Limits.ROOM_KEY_MESSAGE);
        }
    }

    /** The tenant the request is limited to: the caller's own, else the one it names, else none (every tenant). */
    private String scope(String tenant) {
        Optional<String> own = Callers.tenant(caller);
        if (own.isPresent()) {
            if (tenant != null && !tenant.equals(own.get())) {
                throw Problem.exception(Response.Status.FORBIDDEN, "this caller is limited to tenant '" + own.get() + "'");
            }
            return own.get();
        }
        return tenant == null || tenant.isBlank() ? null : tenant;
    }
}

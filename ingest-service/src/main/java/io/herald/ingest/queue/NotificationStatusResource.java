package io.herald.ingest.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.common.Json;
import io.herald.common.Limits;
import io.herald.common.MatrixEvent;
import io.herald.common.Relations;
import io.herald.ingest.HttpProblemException;
import io.herald.ingest.auth.ApiKey;
import io.herald.ingest.auth.Caller;
import io.herald.ingest.auth.RoomAccess;
import io.herald.ingest.notification.Accepted;
import io.herald.ingest.notification.Contents;
import io.herald.ingest.notification.Intake;
import io.herald.ingest.notification.NotificationRequest;
import io.herald.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * A notification after its 202: its status (every delivery, from the dispatcher), an edit ({@code PUT}: an
 * {@code m.replace} of its message) and a redaction ({@code DELETE}). Only for API keys of the notification's tenant
 * that may post to its room; to any other key it looks like a notification nothing is known of yet. Edits and
 * redactions are notifications of their own, through the same pipeline (same room, same account, behind the
 * original in its lane), answered 202 with their own id.
 */
@Path("/v1/notifications/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "status")
@SecurityRequirement(name = "apiKey")
@RolesAllowed(Roles.PUBLISHER)
@RoomAccess
public class NotificationStatusResource {

    private static final Set<String> GONE = Set.of("dead", "purged", "rejected");

    private final DispatcherClient dispatcher;
    private final Intake intake;
    private final Caller caller;

    NotificationStatusResource(DispatcherClient dispatcher, Intake intake, Caller caller) {
        this.dispatcher = dispatcher;
        this.intake = intake;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "The state of a notification and of each of its deliveries",
            description = "state: pending (nothing attempted yet, also for an id not known), retrying, delivered, dead,"
                    + " purged; deliveries[]: state, attempts, last_attempt_at, next_attempt_at, last_error,"
                    + " matrix_event_id.")
    @APIResponse(responseCode = "200", description = "the status")
    @APIResponse(responseCode = "503", description = "the dispatcher cannot be asked right now")
    public Uni<JsonNode> status(@PathParam("id") String id) {
        ApiKey key = caller.key();
        return visible(id, key);
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Edit a notification's message (m.replace)",
            description = "The body is that of POST /v1/rooms/{room}/notifications; the room shows the new text.")
    @APIResponse(responseCode = "202", description = "the edit is on Kafka")
    @APIResponse(responseCode = "404", description = "no notification of this key's rooms with a room delivery")
    @APIResponse(responseCode = "409", description = "its message was never posted (dead or purged)")
    public Uni<Response> edit(@PathParam("id") String id, @HeaderParam("Idempotency-Key") String idempotencyKey,
            @Valid @NotNull(message = "a JSON object is required") NotificationRequest request) {
        ApiKey key = caller.key();
        NotificationRequest.Mentions mentions = request.mentions();
        var content = Contents.message(request.subject(), request.body(), request.link(),
                Boolean.TRUE.equals(request.silent()), request.markdown(), mentions == null ? null : mentions.userIds(),
                mentions == null ? null : mentions.room());
        return original(id, key).flatMap(room -> intake.accept(key, room.path("room").asText(), idempotencyKey,
                () -> "edit\n" + id + "\n" + Json.encode(request),
                List.of(new Intake.Draft(MatrixEvent.message(key.sender(), Relations.replacement(id, content)), "edit",
                        null, room.path("account").asText(null))))).map(Accepted::response);
    }

    @DELETE
    @Operation(summary = "Redact a notification's message", description = "The room shows it redacted.")
    @APIResponse(responseCode = "202", description = "the redaction is on Kafka")
    @APIResponse(responseCode = "404", description = "no notification of this key's rooms with a room delivery")
    @APIResponse(responseCode = "409", description = "its message was never posted (dead or purged)")
    public Uni<Response> redact(@PathParam("id") String id, @HeaderParam("Idempotency-Key") String idempotencyKey,
            @QueryParam("reason") @Size(max = 1024, message = "must be at most 1024 characters") String reason) {
        ApiKey key = caller.key();
        if (reason != null && Limits.firstUnprintable(reason) >= 0) {
            throw HttpProblemException.badField("reason", "must not contain control characters");
        }
        return original(id, key).flatMap(room -> intake.accept(key, room.path("room").asText(), idempotencyKey,
                () -> "redact\n" + id + "\n" + reason, List.of(new Intake.Draft(new MatrixEvent(Relations.REDACTION,
                        key.sender(), Relations.redaction(id, reason), null, null), "redaction", null,
                        room.path("account").asText(null))))).map(Accepted::response);
    }

    /** The status as this key may see it: the deliveries of rooms it may post to, of its tenant. */
    private Uni<JsonNode> visible(String id, ApiKey key) {
        if (Limits.idProblem(id) != null) {
            return Uni.createFrom().item(unknown(id));
        }
        return dispatcher.call("GET", "/v1/notifications/" + DispatcherClient.segment(id), key.tenant()).map(status -> {
            for (JsonNode delivery : status.path("deliveries")) {
                if (!key.mayPostTo(delivery.path("room").asText())) {
                    return unknown(id);
                }
            }
            return status;
        });
    }

    /** The room delivery of the notification to edit or redact (404, or 409 when it was never posted). */
    private Uni<JsonNode> original(String id, ApiKey key) {
        return visible(id, key).map(status -> {
            for (JsonNode delivery : status.path("deliveries")) {
                if ("matrix_room".equals(delivery.path("kind").asText())) {
                    if (GONE.contains(delivery.path("state").asText())) {
                        throw HttpProblemException.of(Response.Status.CONFLICT, "notification " + id
                                + " was never posted to its room (" + delivery.path("state").asText() + ")");
                    }
                    return delivery;
                }
            }
            throw HttpProblemException.of(Response.Status.NOT_FOUND, "no notification " + id
                    + " with a message in a room of this API key (not accepted, not yet planned, or of another room)");
        });
    }

    private static JsonNode unknown(String id) {
        ObjectNode status = Json.MAPPER.createObjectNode().put("id", id).put("state", "pending");
        status.set("deliveries", Json.MAPPER.createArrayNode());
        return status;
    }

}

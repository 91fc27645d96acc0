package io.herald.ingest.notification;

import io.herald.common.Json;
import io.herald.common.Limits;
import io.herald.common.MatrixEvent;
import io.herald.ingest.auth.Caller;
import io.herald.ingest.auth.RoomAccess;
import io.herald.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/rooms/{room}/notifications")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "intake")
@SecurityRequirement(name = "apiKey")
@RolesAllowed(Roles.PUBLISHER)
@RoomAccess
public class NotificationResource {

    private final Intake intake;
    private final Caller caller;

    NotificationResource(Intake intake, Caller caller) {
        this.intake = intake;
        this.caller = caller;
    }

    @POST
    @Operation(summary = "Send a notification to a room",
            description = "Answers 202 with the notification id once Kafka acknowledged the record (acks=all).")
    @APIResponse(responseCode = "202", description = "on Kafka", content = @Content(schema = @Schema(implementation = Accepted.class)))
    @APIResponse(responseCode = "400", description = "invalid JSON or fields (problem details with errors[])")
    @APIResponse(responseCode = "401", description = "missing or unknown API key")
    @APIResponse(responseCode = "403", description = "the API key may not post to this room")
    @APIResponse(responseCode = "413", description = "body too large")
    @APIResponse(responseCode = "422", description = "Idempotency-Key reused for a different request")
    @APIResponse(responseCode = "429", description = "rate limit of the API key; see Retry-After")
    @APIResponse(responseCode = "503", description = "Kafka did not acknowledge in time; retry (with the same Idempotency-Key)")
    public Uni<Response> post(
            @PathParam("room") @Pattern(regexp = Limits.ROOM_KEY_PATTERN, message = Limits.ROOM_KEY_MESSAGE) String room,
            @Parameter(description = "retries with the same key answer the same id and publish nothing (24 h)")
            @HeaderParam("Idempotency-Key") String idempotencyKey,
            @Valid @NotNull(message = "a JSON object is required") NotificationRequest request) {
        NotificationRequest.Mentions mentions = request.mentions();
        MatrixEvent event = MatrixEvent.message(caller.key().sender(), Contents.message(request.subject(),
                request.body(), request.link(), Boolean.TRUE.equals(request.silent()), request.markdown(),
                mentions == null ? null : mentions.userIds(), mentions == null ? null : mentions.room()));
        return intake.accept(caller.key(), room, idempotencyKey,
                () -> Json.encode(request), List.of(new Intake.Draft(event, "http"))).map(Accepted::response);
    }
}

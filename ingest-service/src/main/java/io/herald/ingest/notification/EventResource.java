package io.herald.ingest.notification;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.common.Json;
import io.herald.common.Limits;
import io.herald.common.MatrixEvent;
import io.herald.common.problem.Problem;
import io.herald.ingest.HttpProblemException;
import io.herald.ingest.IngestConfig;
import io.herald.ingest.auth.Caller;
import io.herald.ingest.auth.RoomAccess;
import io.herald.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** For producers that speak Matrix already: the event is published as given, with the API key's sender. */
@Path("/v1/rooms/{room}/events")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "intake")
@SecurityRequirement(name = "apiKey")
@RolesAllowed(Roles.PUBLISHER)
@RoomAccess
public class EventResource {

    /** The request body as documented (the resource reads it itself, to enforce the size limit first). */
    @Schema(name = "MatrixEventRequest")
    public record EventRequest(@Schema(required = true, example = "m.room.message") String type,
            @Schema(required = true, description = "the event content, any JSON object") Map<String, Object> content,
            String stateKey) {
    }

    private final Intake intake;
    private final Caller caller;
    private final int maxEventSize;

    EventResource(Intake intake, Caller caller, IngestConfig config) {
        this.intake = intake;
        this.caller = caller;
        this.maxEventSize = config.maxEventSize();
    }

    @POST
    @Operation(summary = "Send a Matrix-shaped event to a room", description = "At most 64 KiB, like a Matrix event.")
    @RequestBody(content = @Content(schema = @Schema(implementation = EventRequest.class)))
    @APIResponse(responseCode = "202", description = "on Kafka", content = @Content(schema = @Schema(implementation = Accepted.class)))
    @APIResponse(responseCode = "400", description = "invalid JSON or fields")
    @APIResponse(responseCode = "401", description = "missing or unknown API key")
    @APIResponse(responseCode = "403", description = "the API key may not post to this room")
    @APIResponse(responseCode = "413", description = "larger than 64 KiB")
    @APIResponse(responseCode = "429", description = "rate limit; see Retry-After")
    @APIResponse(responseCode = "503", description = "Kafka did not acknowledge in time")
    public Uni<Response> post(@PathParam("room") @Pattern(regexp = Limits.ROOM_KEY_PATTERN,
            message = Limits.ROOM_KEY_MESSAGE) String room,
            @Parameter(description = "retries with the same key answer the same id and publish nothing (24 h)")
            @HeaderParam("Idempotency-Key") String idempotencyKey,
            byte[] body) {
        if (body == null || body.length == 0) {
            throw HttpProblemException.of(Response.Status.BAD_REQUEST, "a JSON object is required");
        }
        if (body.length > maxEventSize) {
            throw HttpProblemException.of(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "a Matrix event may be at most " + maxEventSize + " bytes; this one has " + body.length);
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw HttpProblemException.of(Response.Status.BAD_REQUEST,
                    "request body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw HttpProblemException.of(Response.Status.BAD_REQUEST, "request body is not readable JSON");
        }
        if (json == null || !json.isObject()) {
            throw HttpProblemException.of(Response.Status.BAD_REQUEST, "a JSON object is required");
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        JsonNode type = json.get("type");
        if (type == null || !type.isTextual() || type.asText().isBlank()) {
            errors.add(new Problem.FieldError("type", "is required (a string)"));
        } else {
            check(errors, "type", Limits.matrixStringProblem(type.textValue()));
        }
        JsonNode content = json.get("content");
        if (content == null || !content.isObject()) {
            errors.add(new Problem.FieldError("content", "is required (a JSON object)"));
        }
        if (content != null && content.isObject() && content.has(io.herald.common.Relations.KEY)) {
            // edits and redactions go through PUT and DELETE /v1/notifications/{id}, which check whose they are
            errors.add(new Problem.FieldError("content", "must not contain " + io.herald.common.Relations.KEY));
        }
        JsonNode stateKey = json.get("state_key");
        if (stateKey != null && !stateKey.isNull() && !stateKey.isTextual()) {
            errors.add(new Problem.FieldError("state_key", "must be a string"));
        } else if (stateKey != null && stateKey.isTextual()) {
            check(errors, "state_key", Limits.matrixStringProblem(stateKey.textValue()));
        }
        if (!errors.isEmpty()) {
            throw HttpProblemException.badFields(null, errors);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> contentMap = Json.MAPPER.convertValue((ObjectNode) content, Map.class);
        MatrixEvent event = new MatrixEvent(type.asText(), caller.key().sender(), contentMap,
                stateKey == null || stateKey.isNull() ? null : stateKey.asText(), null);
        return intake.accept(caller.key(), room, idempotencyKey,
                () -> new String(body, StandardCharsets.UTF_8), List.of(new Intake.Draft(event, "http"))).map(Accepted::response);
    }

    private static void check(List<Problem.FieldError> errors, String field, String problem) {
        if (problem != null) {
            errors.add(new Problem.FieldError(field, problem));
        }
    }
}

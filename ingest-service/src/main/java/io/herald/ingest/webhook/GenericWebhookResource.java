package io.herald.ingest.webhook;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.common.Limits;
import io.herald.common.MatrixEvent;
import io.herald.ingest.HttpProblemException;
import io.herald.ingest.IngestConfig;
import io.herald.ingest.auth.Caller;
import io.herald.ingest.auth.RoomAccess;
import io.herald.security.Roles;
import io.herald.ingest.notification.Accepted;
import io.herald.ingest.notification.Contents;
import io.herald.ingest.notification.Intake;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.herald.common.Json;
import io.herald.ingest.template.Rendered;
import io.herald.ingest.template.Templates;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Any JSON webhook, mapped to a notification by JSON pointers in {@code herald.ingest.webhooks.<name>.*}. */
@Path("/v1/rooms/{room}/webhooks/{name}")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "webhooks")
@SecurityRequirement(name = "apiKey")
@RolesAllowed(Roles.PUBLISHER)
@RoomAccess
public class GenericWebhookResource {

    private final Intake intake;
    private final Caller caller;
    private final IngestConfig config;
    private final Templates templates;

    GenericWebhookResource(Intake intake, Caller caller, IngestConfig config, Templates templates) {
        this.intake = intake;
        this.caller = caller;
        this.config = config;
        this.templates = templates;
        // A bad pointer in the configuration fails the start, not a request.
        config.webhooks().forEach((name, w) -> {
            JsonPointer.compile(w.body());
            w.subject().ifPresent(JsonPointer::compile);
            w.link().ifPresent(JsonPointer::compile);
            w.silent().ifPresent(JsonPointer::compile);
        });
    }

    @POST
    @Operation(summary = "Generic JSON webhook", description = "Fields are taken from the document by the JSON pointers"
            + " configured as herald.ingest.webhooks.<name>.subject/body/link/silent (body required).")
    @APIResponse(responseCode = "202", description = "on Kafka", content = @Content(schema = @Schema(implementation = Accepted.class)))
    @APIResponse(responseCode = "400", description = "not JSON, or the body field is missing")
    @APIResponse(responseCode = "401", description = "missing or unknown API key")
    @APIResponse(responseCode = "403", description = "the API key may not post to this room")
    @APIResponse(responseCode = "404", description = "no webhook of this name is configured")
    @APIResponse(responseCode = "429", description = "rate limit; see Retry-After")
    @APIResponse(responseCode = "503", description = "Kafka did not acknowledge in time")
    public Uni<Response> post(@PathParam("room") @Pattern(regexp = Limits.ROOM_KEY_PATTERN,
            message = Limits.ROOM_KEY_MESSAGE) String room, @PathParam("name") String name,
            @HeaderParam("Idempotency-Key") String idempotencyKey, byte[] body) {
        IngestConfig.Webhook mapping = config.webhooks().get(name);
        Optional<Templates.Compiled> template = templates.of(name);
        if (mapping == null && template.isEmpty()) {
            throw HttpProblemException.of(Response.Status.NOT_FOUND, "no webhook named '" + name + "' is configured"
                    + " (herald.ingest.webhooks." + name + ".* or a template, PUT /v1/admin/templates/" + name + ")");
        }
        JsonNode payload = Payloads.object(body);
        if (template.isPresent()) {
            Rendered message = Rendered.of(template.get(), Map.of("payload",
                    Json.MAPPER.convertValue(payload, Object.class)), mapping == null ? null : field(payload,
                    mapping.link()), null, mapping != null && "markdown".equals(mapping.format()),
                    caller.key().mayMentionRoom(), "(" + name + ")");
            return intake.accept(caller.key(), room, idempotencyKey,
                    () -> name + "\n" + new String(body, StandardCharsets.UTF_8), List.of(new Intake.Draft(
                            MatrixEvent.message(caller.key().sender(), message.content()), "webhook:" + name,
                            message.priority()))).map(Accepted::response);
        }
        String text = field(payload, Optional.of(mapping.body()));
        if (text == null || text.isBlank()) {
            throw HttpProblemException.badField("body", "nothing at " + mapping.body() + " in the posted document");
        }
        String subject = field(payload, mapping.subject());
        String link = field(payload, mapping.link());
        if (link != null && !(link.length() <= 2048 && link.matches("(?i)https?://\\S+"))) {
            link = null; // not a web link: left out rather than refusing the whole webhook
        }
        boolean silent = mapping.silent().map(p -> payload.at(JsonPointer.compile(p)))
                .map(n -> n.isBoolean() ? n.booleanValue() : "true".equalsIgnoreCase(n.asText())).orElse(false);
        MatrixEvent event = MatrixEvent.message(caller.key().sender(), Contents.fitted(Contents.truncate(subject, 1024),
                Contents.truncate(text, 32768), link, silent, "markdown".equals(mapping.format())));
        return intake.accept(caller.key(), room, idempotencyKey,
                () -> name + "\n" + new String(body, StandardCharsets.UTF_8),
                List.of(new Intake.Draft(event, "webhook:" + name))).map(Accepted::response);
    }

    private static String field(JsonNode payload, Optional<String> pointer) {
        return pointer.map(p -> Payloads.text(payload.at(JsonPointer.compile(p)))).orElse(null);
    }
}

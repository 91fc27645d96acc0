package io.herald.ingest.notification;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.common.Json;
import io.herald.common.Limits;
import io.herald.common.MatrixEvent;
import io.herald.common.problem.Problem;
import io.herald.ingest.HttpProblemException;
import io.herald.ingest.auth.ApiKey;
import io.herald.ingest.auth.ApiKeyCredentials;
import io.herald.ingest.auth.Caller;
import io.herald.ingest.auth.RoomAccess;
import io.herald.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * One-line intake for devices and scripts ({@code curl -d "Backup failed" …/v1/rooms/ops/send}): the message as a
 * {@code text/plain} body, form fields or JSON, the optional fields also as headers ({@code Title}, {@code Link},
 * {@code Priority}, {@code Tags}, {@code Markdown}, {@code Silent}; ntfy's spellings and {@code X-} forms, any case) or
 * query parameters, and {@code GET} with query parameters only, for devices that can only fetch a URL. A field in
 * the body wins over a header, a header over a query parameter.
 */
@Path("/v1/rooms/{room}/send")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "intake")
@SecurityRequirement(name = "apiKey")
@RolesAllowed(Roles.PUBLISHER)
@RoomAccess
public class SendResource {

    static final int MAX_MESSAGE = 32768;
    static final int MAX_TITLE = 1024;
    static final int MAX_LINK = 2048;

    /** Each field and the names it is known by, in headers (case-insensitive) and query parameters. */
    enum Field {
        MESSAGE("message", "m", "body"),
        TITLE("title", "t", "subject"),
        LINK("link", "click"),
        PRIORITY("priority", "prio", "p"),
        TAGS("tags", "tag", "ta"),
        MARKDOWN("markdown", "md"),
        SILENT("silent");

        final List<String> names;

        Field(String... names) {
            this.names = List.of(names);
        }
    }

    /** The body as documented (the resource reads it itself: text, form or JSON). */
    @Schema(name = "SendRequest", description = "JSON form; form fields and query parameters have the same names")
    public record SendRequest(@Schema(description = "the message (also: body)", required = true) String message,
            @Schema(description = "also: subject") String title, @Schema(description = "also: click") String link,
            @Schema(description = "1-5 or min, low, default, high, urgent (max)") String priority,
            @Schema(description = "a list, or comma-separated") List<String> tags, Boolean markdown, Boolean silent) {
    }

    private final Intake intake;
    private final Caller caller;

    SendResource(Intake intake, Caller caller) {
        this.intake = intake;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Send a one-line notification", description = "text/plain (the body is the message),"
            + " application/x-www-form-urlencoded or application/json; fields also as headers or query parameters.")
    @RequestBody(content = {@Content(mediaType = MediaType.TEXT_PLAIN, schema = @Schema(implementation = String.class)),
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SendRequest.class)),
            @Content(mediaType = MediaType.APPLICATION_FORM_URLENCODED, schema = @Schema(implementation = SendRequest.class))})
    @APIResponse(responseCode = "202", description = "on Kafka; Location: the notification's status",
            content = @Content(schema = @Schema(implementation = Accepted.class)))
    @APIResponse(responseCode = "400", description = "no message, or a field out of range")
    @APIResponse(responseCode = "401", description = "missing or unknown API key (Bearer, Basic password or ?auth=)")
    @APIResponse(responseCode = "403", description = "the API key may not post to this room")
    @APIResponse(responseCode = "415", description = "a body that is neither text, a form nor JSON")
    @APIResponse(responseCode = "429", description = "rate limit of the API key; see Retry-After")
    @APIResponse(responseCode = "503", description = "Kafka did not acknowledge in time")
    public Uni<Response> post(@PathParam("room") @Pattern(regexp = Limits.ROOM_KEY_PATTERN,
            message = Limits.ROOM_KEY_MESSAGE) String room, @HeaderParam("Idempotency-Key") String idempotencyKey,
            @Context HttpHeaders headers, @Context UriInfo uri, byte[] body) {
        return send(room, idempotencyKey, headers, uri, body);
    }

    @PUT
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Send a one-line notification (as POST)")
    @APIResponse(responseCode = "202", description = "on Kafka; Location: the notification's status",
            content = @Content(schema = @Schema(implementation = Accepted.class)))
    public Uni<Response> put(@PathParam("room") @Pattern(regexp = Limits.ROOM_KEY_PATTERN,
            message = Limits.ROOM_KEY_MESSAGE) String room, @HeaderParam("Idempotency-Key") String idempotencyKey,
            @Context HttpHeaders headers, @Context UriInfo uri, byte[] body) {
        return send(room, idempotencyKey, headers, uri, body);
    }

    @GET
    @Operation(summary = "Send a one-line notification from a URL",
            description = "For devices that can only fetch a URL: ?message=…&title=…&auth=<API key>.")
    @APIResponse(responseCode = "202", description = "on Kafka; Location: the notification's status",
            content = @Content(schema = @Schema(implementation = Accepted.class)))
    public Uni<Response> get(@PathParam("room") @Pattern(regexp = Limits.ROOM_KEY_PATTERN,
            message = Limits.ROOM_KEY_MESSAGE) String room, @HeaderParam("Idempotency-Key") String idempotencyKey,
            @Context HttpHeaders headers, @Context UriInfo uri) {
        return send(room, idempotencyKey, headers, uri, null);
    }

    private Uni<Response> send(String room, String idempotencyKey, HttpHeaders headers, UriInfo uri, byte[] body) {
        Map<Field, String> fields = fields(headers, uri.getQueryParameters(), body);
        ApiKey key = caller.key();
        OneLine line = OneLine.of(fields, key.mayMentionRoom());
        MatrixEvent event = MatrixEvent.message(key.sender(), line.content());
        return intake.accept(key, room, idempotencyKey, line::fingerprint,
                List.of(new Intake.Draft(event, "http", line.priority()))).map(Accepted::response);
    }

    /** The fields from the body, else the headers, else the query parameters. */
    static Map<Field, String> fields(HttpHeaders headers, MultivaluedMap<String, String> query, byte[] body) {
        Map<Field, String> fields = new LinkedHashMap<>();
        Map<String, String> lowerQuery = new LinkedHashMap<>();
        query.forEach((name, values) -> {
            if (!name.equals(ApiKeyCredentials.QUERY_PARAMETER) && !values.isEmpty()) {
                lowerQuery.putIfAbsent(name.toLowerCase(Locale.ROOT), values.get(0));
            }
        });
        for (Field field : Field.values()) {
            for (String name : field.names) {
                String value = lowerQuery.get(name);
                if (value != null) {
                    fields.putIfAbsent(field, value);
                }
            }
        }
        for (Field field : Field.values()) {
            if (field == Field.MESSAGE) {
                continue; // a message is never a header
            }
            for (String name : field.names) {
                String value = header(headers, name);
                if (value != null) {
                    fields.put(field, value);
                    break;
                }
            }
        }
        if (body != null && body.length > 0) {
            fields.putAll(fromBody(headers.getMediaType(), body));
        }
        return fields;
    }

    private static String header(HttpHeaders headers, String name) {
        String value = headers.getHeaderString(name);
        if (value == null) {
            value = headers.getHeaderString("X-" + name);
        }
        return value;
    }

    private static Map<Field, String> fromBody(MediaType type, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        if (type == null || "text".equals(type.getType()) || type.isCompatible(MediaType.APPLICATION_OCTET_STREAM_TYPE)) {
            return Map.of(Field.MESSAGE, text);
        }
        if (type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)) {
            // curl -d and wget --post-data send any text as a form: without a field of ours, the text is the message
            Map<Field, String> fields = named(form(text));
            return fields.isEmpty() ? Map.of(Field.MESSAGE, text) : fields;
        }
        if (type.isCompatible(MediaType.APPLICATION_JSON_TYPE) || type.getSubtype().endsWith("+json")) {
            return named(json(body));
        }
        throw new HttpProblemException(Problem.of(Response.Status.UNSUPPORTED_MEDIA_TYPE,
                "send the message as text/plain, application/x-www-form-urlencoded or application/json"), Map.of());
    }

    private static Map<String, String> form(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                values.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
            } catch (IllegalArgumentException e) {
                return Map.of(); // not a form after all: the text is the message
            }
        }
        return values;
    }

    private static Map<String, String> json(byte[] body) {
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw HttpProblemException.of(Response.Status.BAD_REQUEST, "request body is not valid JSON");
        }
        if (json == null || !json.isObject()) {
            throw HttpProblemException.of(Response.Status.BAD_REQUEST, "a JSON object is required");
        }
        Map<String, String> values = new LinkedHashMap<>();
        json.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            String text;
            if (v.isArray()) {
                List<String> items = new ArrayList<>();
                v.forEach(item -> items.add(item.asText()));
                text = String.join(",", items);
            } else if (v.isNull()) {
                return;
            } else {
                text = v.isValueNode() ? v.asText() : v.toString();
            }
            values.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), text);
        });
        return values;
    }

    private static Map<Field, String> named(Map<String, String> values) {
        Map<Field, String> fields = new LinkedHashMap<>();
        for (Field field : Field.values()) {
            for (String name : field.names) {
                String value = values.get(name);
                if (value != null) {
                    fields.putIfAbsent(field, value);
                }
            }
        }
        return fields;
    }
}

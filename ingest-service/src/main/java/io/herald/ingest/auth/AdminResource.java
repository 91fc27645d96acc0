package io.herald.ingest.auth;

import io.herald.common.Limits;
import io.herald.ingest.HttpProblemException;
import io.herald.ingest.IngestConfig;
import io.herald.security.Callers;
import io.herald.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * API keys, for admins. The key itself is returned once, by the create call. An admin limited to a tenant sees and
 * manages only that tenant's keys (others' are 404, as if they did not exist).
 */
@Path("/v1/admin/api-keys")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
@SecurityRequirement(name = "bearer")
@RolesAllowed(Roles.ADMIN)
public class AdminResource {

    private static final Logger LOG = Logger.getLogger(AdminResource.class);
    private static final String ROOM_OR_STAR = Limits.ROOM_KEY_PATTERN + "|\\*";

    public record CreateRequest(
            @Size(max = 200, message = "must be at most 200 characters")
            @Pattern(regexp = Limits.PRINTABLE_PATTERN, message = "must not contain control characters") String name,
            @NotBlank(message = "is required") @Pattern(regexp = "[A-Za-z0-9._-]{1,64}",
                    message = "must be 1-64 characters of A-Z a-z 0-9 . _ -") String tenant,
            @Size(max = Limits.MATRIX_ID_MAX_BYTES, message = Limits.USER_ID_MESSAGE)
            @Pattern(regexp = Limits.USER_ID_PATTERN, message = Limits.USER_ID_MESSAGE)
            @Schema(description = "the sender of the events this key makes (default herald.ingest.sender)") String sender,
            @NotEmpty(message = "must list at least one room, or \"*\"") @Size(max = 1000)
            @Schema(description = "room keys the key may post to; [\"*\"] for all")
            List<@NotNull @Pattern(regexp = ROOM_OR_STAR, message = "must be a room key or *") String> rooms,
            @Valid RateLimit rateLimit,
            @Size(max = 64, message = "must be at most 64 characters")
            @Pattern(regexp = Limits.PRINTABLE_PATTERN, message = "must not contain control characters")
            @Schema(description = "shown as the prefix of every message the key sends (\"nas1: …\")") String label,
            @Pattern(regexp = "[A-Za-z0-9._~-]{1,128}", message = "must be a dispatcher account id")
            @Schema(description = "the dispatcher account the key's messages are posted as; the room must list it"
                    + " among its source_accounts (else the room's account posts)") String account,
            @Schema(description = "may send urgent notifications, which mention the room (@room)") Boolean mayMentionRoom) {
    }

    public record RateLimit(@DecimalMin(value = "0.001", message = "must be positive") @Max(1_000_000) Double perSecond,
            @Min(value = 1, message = "must be at least 1") @Max(10_000_000) Integer burst) {
    }

    @Schema(name = "ApiKey")
    public record View(String id, String name, String tenant, String sender, List<String> rooms, RateLimit rateLimit,
            String label, String account, boolean mayMentionRoom, Instant createdAt, Instant revokedAt,
            @Schema(description = "the API key: returned only by the create call") String key) {

        static View of(ApiKey k, String secret) {
            return new View(k.id(), k.name(), k.tenant(), k.sender(), k.rooms(),
                    k.ratePerSecond() == null && k.burst() == null ? null : new RateLimit(k.ratePerSecond(), k.burst()),
                    k.label(), k.account(), k.mayMentionRoom(), k.createdAt(), k.revokedAt(), secret);
        }
    }

    private final ApiKeyStore store;
    private final String defaultSender;
    private final SecurityIdentity caller;

    AdminResource(ApiKeyStore store, IngestConfig config, SecurityIdentity caller) {
        this.store = store;
        this.defaultSender = config.sender();
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create an API key", description = "The answer holds the key; it is not stored and cannot be shown again.")
    @APIResponse(responseCode = "201", content = @Content(schema = @Schema(implementation = View.class)))
    @APIResponse(responseCode = "400", description = "invalid fields")
    @APIResponse(responseCode = "401", description = "missing or unknown token")
    @APIResponse(responseCode = "403", description = "not an admin, or an admin of another tenant")
    public Response create(@Valid @NotNull(message = "a JSON object is required") CreateRequest request) {
        requireTenant(request.tenant());
        RateLimit rate = request.rateLimit();
        String sender = request.sender() == null ? defaultSender : request.sender();
        // every event of the key carries it: one the rules-service would refuse would make the key useless
        String senderProblem = Limits.userIdProblem(sender);
        if (senderProblem != null) {
            throw HttpProblemException.badField("sender", senderProblem
                    + (request.sender() == null ? " (the default, herald.ingest.sender)" : ""));
        }
        ApiKeyStore.Created created = store.create(new ApiKeyStore.Spec(request.name(), request.tenant(), sender,
                List.copyOf(request.rooms()), rate == null ? null : rate.perSecond(), rate == null ? null : rate.burst(),
                request.label() == null || request.label().isBlank() ? null : request.label().strip(),
                request.account(), Boolean.TRUE.equals(request.mayMentionRoom())));
        LOG.infof("API key %s created for tenant %s", created.apiKey().id(), created.apiKey().tenant());
        return Response.created(URI.create("/v1/admin/api-keys/" + created.apiKey().id()))
                .entity(View.of(created.apiKey(), created.secret())).build();
    }

    @GET
    @Operation(summary = "List API keys (never the keys themselves)",
            description = "An admin limited to a tenant lists that tenant's keys only.")
    public List<View> list(@QueryParam("tenant") String tenant) {
        if (tenant != null && Limits.firstUnprintable(tenant) >= 0) {
            return List.of(); // no tenant has such a name (and PostgreSQL cannot compare with a NUL)
        }
        if (tenant != null) {
            requireTenant(tenant);
        }
        String scope = tenant != null ? tenant : Callers.tenant(caller).orElse(null);
        return store.list(scope).stream().map(k -> View.of(k, null)).toList();
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Show an API key")
    @APIResponse(responseCode = "404", description = "no such key")
    public View get(@PathParam("id") String id) {
        return View.of(find(id), null);
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Revoke an API key", description = "Effective at once on this instance, and on the others"
            + " as soon as the change event reaches them through herald.changes (within herald.ingest.api-key-cache-ttl"
            + " if it is lost).")
    @APIResponse(responseCode = "204", description = "revoked")
    @APIResponse(responseCode = "404", description = "no such key")
    public Response revoke(@PathParam("id") String id) {
        if (!store.revoke(find(id).id())) {
            throw HttpProblemException.of(Response.Status.NOT_FOUND, "no API key " + id);
        }
        LOG.infof("API key %s revoked", id);
        return Response.noContent().build();
    }

    /** The key, if the caller may see it (404 otherwise, as for a key that does not exist). */
    private ApiKey find(String id) {
        return Optional.of(id).filter(AdminResource::couldBeAnId).flatMap(store::find)
                .filter(k -> Callers.mayAccess(caller, k.tenant()))
                .orElseThrow(() -> HttpProblemException.of(Response.Status.NOT_FOUND, "no API key " + id));
    }

    /** PostgreSQL cannot compare with a NUL: such an id is no key's. */
    private static boolean couldBeAnId(String id) {
        return Limits.firstUnprintable(id) < 0;
    }

    private void requireTenant(String tenant) {
        if (!Callers.mayAccess(caller, tenant)) {
            throw HttpProblemException.of(Response.Status.FORBIDDEN, "this admin is limited to tenant '"
                    + Callers.tenant(caller).orElseThrow() + "'");
        }
    }
}

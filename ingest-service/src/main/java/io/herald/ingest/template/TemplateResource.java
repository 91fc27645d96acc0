package io.herald.ingest.template;

import io.herald.common.problem.Problem;
import io.herald.ingest.HttpProblemException;
import io.herald.security.AllTenantsOnly;
import io.herald.security.Roles;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Message templates of Alertmanager and of named generic webhooks (Qute), for admins of every tenant (the webhooks are
 * the same for every tenant). A template that does not compile is refused with 400, naming the part and the line.
 */
@Path("/v1/admin/templates")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
@SecurityRequirement(name = "bearer")
@RolesAllowed(Roles.ADMIN)
@AllTenantsOnly
@Blocking
public class TemplateResource {

    private static final String NAME = "[A-Za-z0-9._-]{1,64}";

    /** The body of {@code PUT}: Qute templates; only {@code body} is required. */
    public record TemplateRequest(@Size(max = 4096) String subject,
            @NotBlank(message = "is required") @Size(max = 65536) String body, @Size(max = 65536) String html,
            @Size(max = 4096) String priority, @Size(max = 4096) String mentions) {
    }

    private final Templates templates;
    private final TemplateStore store;

    TemplateResource(Templates templates, TemplateStore store) {
        this.templates = templates;
        this.store = store;
    }

    @GET
    @Operation(summary = "The stored templates, and the built-in defaults not replaced")
    public List<TemplateSet> list() {
        List<TemplateSet> all = new ArrayList<>(store.list());
        for (String name : Templates.BUILT_IN) {
            if (all.stream().noneMatch(t -> t.name().equals(name))) {
                templates.builtIn(name).ifPresent(all::add);
            }
        }
        return all;
    }

    @GET
    @Path("{name}")
    @Operation(summary = "A webhook's template: the stored one, else the built-in default")
    @APIResponse(responseCode = "404", description = "neither")
    public TemplateSet get(@PathParam("name") String name) {
        return store.list().stream().filter(t -> t.name().equals(name)).findFirst()
                .or(() -> templates.builtIn(name))
                .orElseThrow(() -> HttpProblemException.of(Response.Status.NOT_FOUND, "no template '" + name + "'"));
    }

    @PUT
    @Path("{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Store a webhook's template", description = "alertmanager, or the name of a generic webhook"
            + " (POST /v1/rooms/{room}/webhooks/{name}); applied at once, on every instance within a second.")
    @APIResponse(responseCode = "200", description = "stored")
    @APIResponse(responseCode = "400", description = "a part does not compile: errors[] names the part and the line")
    public TemplateSet put(@PathParam("name") String name,
            @Valid @NotNull(message = "a JSON object is required") TemplateRequest request) {
        if (!name.matches(NAME)) {
            throw HttpProblemException.badField("name", "must be 1-64 characters of A-Z a-z 0-9 . _ -");
        }
        TemplateSet set = new TemplateSet(name, blankToNull(request.subject()), request.body(),
                blankToNull(request.html()), blankToNull(request.priority()), blankToNull(request.mentions()), false, null);
        List<Problem.FieldError> errors = templates.problems(set);
        if (!errors.isEmpty()) {
            throw HttpProblemException.badFields("the template does not compile: ", errors);
        }
        return templates.save(set);
    }

    @DELETE
    @Path("{name}")
    @Operation(summary = "Delete a stored template (the built-in default, if any, applies again)")
    @APIResponse(responseCode = "204", description = "deleted")
    @APIResponse(responseCode = "404", description = "no stored template of this name")
    public Response delete(@PathParam("name") String name) {
        if (!templates.delete(name)) {
            throw HttpProblemException.of(Response.Status.NOT_FOUND, "no stored template '" + name + "'");
        }
        return Response.noContent().build();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

}

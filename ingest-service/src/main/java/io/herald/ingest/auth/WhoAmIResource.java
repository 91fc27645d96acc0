package io.herald.ingest.auth;

import io.herald.security.Callers;
import io.herald.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Who the credential is: the console's sign-in check, and a quick test of a token from a script. */
@Path("/v1/whoami")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
@SecurityRequirement(name = "bearer")
@RolesAllowed({Roles.ADMIN, Roles.OPERATOR, Roles.PUBLISHER})
public class WhoAmIResource {

    /** {@code tenant}: null for a caller of every tenant; {@code kind}: service_token, api_key, oidc. */
    public record WhoAmI(String name, String kind, List<String> roles, String tenant) {
    }

    private final SecurityIdentity identity;

    WhoAmIResource(SecurityIdentity identity) {
        this.identity = identity;
    }

    @GET
    @Operation(summary = "Who the credential is: name, kind, roles and tenant")
    public WhoAmI whoami() {
        Object kind = identity.getAttribute(Callers.KIND);
        return new WhoAmI(identity.getPrincipal().getName(),
                kind == null ? null : kind.toString().toLowerCase(java.util.Locale.ROOT),
                identity.getRoles().stream().sorted().toList(), Callers.tenant(identity).orElse(null));
    }
}

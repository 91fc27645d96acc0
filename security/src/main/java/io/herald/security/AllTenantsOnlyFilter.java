package io.herald.security;

import io.herald.common.problem.Problem;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** 403 for a caller limited to a tenant on an {@link AllTenantsOnly} resource, before the body is read. */
public class AllTenantsOnlyFilter {

    private final CurrentIdentityAssociation identity;

    AllTenantsOnlyFilter(CurrentIdentityAssociation identity) {
        this.identity = identity;
    }

    @ServerRequestFilter
    @AllTenantsOnly
    public Uni<Response> check() {
        // A credential that fails, or none, is left to the role check.
        return identity.getDeferredIdentity().onFailure().recoverWithNull().map(caller -> {
            if (caller != null) {
                Callers.tenant(caller).ifPresent(tenant -> {
                    throw Problem.exception(Response.Status.FORBIDDEN, "what this API manages is not"
                            + " separated by tenant; a caller limited to tenant '" + tenant + "' may not use it");
                });
            }
            return null;
        });
    }
}

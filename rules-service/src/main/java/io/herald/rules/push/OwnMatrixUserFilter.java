package io.herald.rules.push;

import io.herald.security.Callers;
import io.herald.security.Roles;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A Matrix user manages only their own push rules and pushers; an admin of every tenant manages anyone's (an admin
 * limited to a tenant no one's: a pusher receives the user's notifications from every tenant's rooms). Denied with
 * 403 {@code M_FORBIDDEN} before the body is read. Callers without either role are left to the role check.
 */
public class OwnMatrixUserFilter {

    private final CurrentIdentityAssociation identity;

    OwnMatrixUserFilter(CurrentIdentityAssociation identity) {
        this.identity = identity;
    }

    @ServerRequestFilter
    @OwnMatrixUser
    public Uni<Response> check(UriInfo uriInfo) {
        String userId = uriInfo.getPathParameters().getFirst("userId");
        // A credential that fails is left to the role check, which answers it as a Matrix error.
        return identity.getDeferredIdentity().onFailure().recoverWithNull().map(caller -> {
            if (caller != null) {
                check(caller, userId);
            }
            return null;
        });
    }

    private static void check(SecurityIdentity caller, String userId) {
        boolean admin = caller.hasRole(Roles.ADMIN);
        if (caller.isAnonymous() || !admin && !caller.hasRole(Roles.MATRIX_USER)
                || Callers.mayManageMatrixUser(caller, userId)) {
            return;
        }
        throw new MatrixError(403, "M_FORBIDDEN", admin
                ? "an admin limited to a tenant may not manage the push rules and pushers of Matrix users"
                : caller.getPrincipal().getName() + " may manage only their own push rules and pushers");
    }
}

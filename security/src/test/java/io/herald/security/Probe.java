package io.herald.security;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.TreeSet;

/** Endpoints of the tests: what the caller is, behind each kind of check. */
public final class Probe {

    private Probe() {
    }

    static Map<String, Object> describe(SecurityIdentity identity) {
        return Map.of("name", identity.getPrincipal().getName(), "roles", new TreeSet<>(identity.getRoles()),
                "tenant", Callers.tenant(identity).orElse(""), "kind", String.valueOf((Object) identity.getAttribute(Callers.KIND)));
    }

    @Path("/probe")
    @Produces(MediaType.APPLICATION_JSON)
    public static class Herald {
        @Inject
        SecurityIdentity identity;

        @GET
        @Path("admin")
        @RolesAllowed(Roles.ADMIN)
        public Map<String, Object> admin() {
            return describe(identity);
        }

        @GET
        @Path("operator")
        @RolesAllowed(Roles.OPERATOR)
        public Map<String, Object> operator() {
            return describe(identity);
        }

        @GET
        @Path("shared")
        @RolesAllowed(Roles.OPERATOR)
        @AllTenantsOnly
        public Map<String, Object> shared() {
            return describe(identity);
        }

        /** No security annotation: refused (quarkus.security.jaxrs.deny-unannotated-endpoints). */
        @POST
        @Path("unannotated")
        public String unannotated(String body) {
            return "reached";
        }
    }

    @Path("/probe/users/{userId}")
    @Produces(MediaType.APPLICATION_JSON)
    @MatrixApi
    @RolesAllowed({Roles.ADMIN, Roles.MATRIX_USER})
    public static class Matrix {
        @Inject
        SecurityIdentity identity;

        @GET
        public Map<String, Object> rules(@PathParam("userId") String userId) {
            if (!Callers.mayManageMatrixUser(identity, userId)) {
                throw new ForbiddenException("you may only manage your own push rules and pushers");
            }
            return describe(identity);
        }
    }
}

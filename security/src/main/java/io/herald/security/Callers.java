package io.herald.security;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import java.util.Optional;
import java.util.Set;

/**
 * Who a caller is, beyond the principal and roles: the tenant they are limited to and the kind of credential. Every
 * kind of identity (service token, API key, OIDC token, Matrix user) carries the same attributes.
 */
public final class Callers {

    /** The tenant the caller is limited to; absent: every tenant. */
    public static final String TENANT = "herald.tenant";

    /** {@link Kind} of the credential. */
    public static final String KIND = "herald.kind";

    /** The kinds of credential Herald accepts. */
    public enum Kind {
        SERVICE_TOKEN, API_KEY, OIDC, MATRIX_USER
    }

    private Callers() {
    }

    /** The tenant the caller is limited to; empty for a caller that sees every tenant. */
    public static Optional<String> tenant(SecurityIdentity identity) {
        Object tenant = identity.getAttribute(TENANT);
        return tenant instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
    }

    /** Whether the caller may see and manage what belongs to {@code ownerTenant} (null: owned by no tenant). */
    public static boolean mayAccess(SecurityIdentity identity, String ownerTenant) {
        Optional<String> tenant = tenant(identity);
        return tenant.isEmpty() || tenant.get().equals(ownerTenant);
    }

    /**
     * Whether the caller may manage the push rules and pushers of a Matrix user: the user themselves (authenticated
     * with their own access token), or an admin limited to no tenant (a pusher receives the user's notifications of
     * every tenant's rooms).
     */
    public static boolean mayManageMatrixUser(SecurityIdentity identity, String userId) {
        Object kind = identity.getAttribute(KIND);
        if (kind == Kind.MATRIX_USER) {
            return identity.getPrincipal().getName().equals(userId);
        }
        return identity.hasRole(Roles.ADMIN) && tenant(identity).isEmpty();
    }

    /** An identity of the given kind; the builder is returned so that a service can add its own attributes. */
    public static QuarkusSecurityIdentity.Builder identity(Kind kind, String name, Set<String> roles,
            Optional<String> tenant) {
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(name)).addRoles(roles).addAttribute(KIND, kind);
        tenant.ifPresent(t -> builder.addAttribute(TENANT, t));
        return builder;
    }

    static SecurityIdentity of(ServiceToken token) {
        return identity(Kind.SERVICE_TOKEN, token.name(), token.roles(), token.tenant()).build();
    }

    /** A Matrix user: no tenant, the one role {@link Roles#MATRIX_USER}. */
    static SecurityIdentity matrixUser(String userId) {
        return identity(Kind.MATRIX_USER, userId, Set.of(Roles.MATRIX_USER), Optional.empty()).build();
    }
}

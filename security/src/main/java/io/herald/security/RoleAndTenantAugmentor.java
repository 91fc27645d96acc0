package io.herald.security;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import java.util.Collection;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * What every identity gets, however it was authenticated: an admin is also an operator, and an OIDC token's tenant
 * claim ({@code herald.auth.oidc.tenant-claim}) becomes the caller's tenant.
 */
@ApplicationScoped
public class RoleAndTenantAugmentor implements SecurityIdentityAugmentor {

    private final String tenantClaim;

    RoleAndTenantAugmentor(AuthConfig config) {
        this.tenantClaim = config.oidc().tenantClaim();
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        boolean oidc = identity.getAttribute(Callers.KIND) == null && identity.getPrincipal() instanceof JsonWebToken;
        boolean adminOnly = identity.hasRole(Roles.ADMIN) && !identity.hasRole(Roles.OPERATOR);
        if (identity.isAnonymous() || !oidc && !adminOnly) {
            return Uni.createFrom().item(identity);
        }
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder(identity);
        if (adminOnly) {
            builder.addRole(Roles.OPERATOR);
        }
        if (oidc) {
            builder.addAttribute(Callers.KIND, Callers.Kind.OIDC);
            String tenant = text(((JsonWebToken) identity.getPrincipal()).getClaim(tenantClaim));
            if (tenant != null && !tenant.isBlank()) {
                builder.addAttribute(Callers.TENANT, tenant);
            }
        }
        return Uni.createFrom().item(builder.build());
    }

    /** A claim's text: a string, or an array of exactly one string. */
    static String text(Object claim) {
        if (claim instanceof String s) {
            return s;
        }
        if (claim instanceof JsonString s) {
            return s.getString();
        }
        if (claim instanceof JsonArray a && a.size() == 1 && a.get(0) instanceof JsonString s) {
            return s.getString();
        }
        if (claim instanceof Collection<?> c && c.size() == 1) {
            return text(c.iterator().next());
        }
        return null;
    }
}

package io.herald.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Herald's one way in: {@code Authorization: Bearer <token>}, where the token is
 * <ul>
 * <li>a service token (any configured one; {@code hrldt_…} is never anything else),</li>
 * <li>an ingest API key ({@code hrld_…}),</li>
 * <li>an OIDC access token (a JWT, when {@code quarkus.oidc.auth-server-url} is set): left to the Quarkus OIDC
 * mechanism, which runs after this one,</li>
 * <li>or a Matrix access token (when {@code herald.auth.matrix.homeserver} is set).</li>
 * </ul>
 * Without a bearer token the caller is anonymous and the endpoints' role annotations answer 401.
 */
@ApplicationScoped
public class HeraldAuthMechanism implements HttpAuthenticationMechanism {

    /** Before Quarkus OIDC's mechanism ({@code quarkus.oidc.priority}, 1001 by default). */
    static final int PRIORITY = 2000;

    static final String CHALLENGE = "Bearer realm=\"herald\"";

    private final ServiceTokens serviceTokens;
    private final MatrixTokens matrixTokens;
    private final boolean oidcEnabled;

    HeraldAuthMechanism(ServiceTokens serviceTokens, MatrixTokens matrixTokens,
            @ConfigProperty(name = "quarkus.oidc.auth-server-url") Optional<String> authServerUrl,
            @ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "true") boolean tenantEnabled) {
        this.serviceTokens = serviceTokens;
        this.matrixTokens = matrixTokens;
        this.oidcEnabled = tenantEnabled && authServerUrl.filter(u -> !u.isBlank()).isPresent();
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String token = bearer(context.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (token == null) {
            return Uni.createFrom().nullItem();
        }
        BearerCredential credential = classify(token);
        if (credential == null) {
            if (token.startsWith(BearerCredential.SERVICE_TOKEN_PREFIX)) {
                return Uni.createFrom().failure(AuthFailures.rejected("unknown service token"));
            }
            if (oidcEnabled) {
                return Uni.createFrom().nullItem(); // the OIDC mechanism verifies it
            }
            return Uni.createFrom().failure(AuthFailures.rejected(
                    "the bearer token is neither a service token (hrldt_…) nor an API key (hrld_…) of this Herald"));
        }
        AuthenticationRequest request = HttpSecurityUtils.setRoutingContextAttribute(new HeraldTokenRequest(credential),
                context);
        return identities.authenticate(request);
    }

    /** What the token is for Herald itself; null when it is not Herald's (an OIDC token, or nothing known). */
    BearerCredential classify(String token) {
        if (token.startsWith(BearerCredential.API_KEY_PREFIX)) {
            return new BearerCredential.ApiKey(token);
        }
        Optional<ServiceToken> service = serviceTokens.match(token);
        if (service.isPresent()) {
            return new BearerCredential.Service(service.get());
        }
        if (token.startsWith(BearerCredential.SERVICE_TOKEN_PREFIX)
                || oidcEnabled && BearerCredential.looksLikeJwt(token) || !matrixTokens.enabled()) {
            return null;
        }
        return new BearerCredential.MatrixToken(token);
    }

    static String bearer(String header) {
        if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", CHALLENGE));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(HeraldTokenRequest.class);
    }

    @Override
    public int getPriority() {
        return PRIORITY;
    }
}

package io.herald.ingest.auth;

import io.herald.security.BearerCredential;
import io.herald.security.HeraldTokenRequest;
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
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * API keys for callers that cannot send {@code Authorization: Bearer}: HTTP Basic (any user name, the key as the
 * password: {@code curl -u :hrld_…}) and, for devices that can only fetch a URL, the query parameter {@code ?auth=}
 * (the weaker choice: a URL ends up in proxy logs and shell histories). Both carry API keys only, checked by
 * {@link ApiKeyIdentities} like a bearer key; anything else is left to the other mechanisms (so a wrong Basic password
 * is a 401). Runs after the bearer mechanism of {@code herald-security}, which wins when both are sent. The key is
 * never logged.
 */
@ApplicationScoped
public class ApiKeyCredentials implements HttpAuthenticationMechanism {

    /** The query parameter that may carry an API key. */
    public static final String QUERY_PARAMETER = "auth";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String key = basicPassword(context.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (key == null) {
            List<String> fromQuery = context.queryParam(QUERY_PARAMETER);
            key = fromQuery.isEmpty() ? null : fromQuery.get(0);
        }
        if (key == null || key.isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        // Anything that is not an API key is refused by the identity provider like an unknown key (401).
        AuthenticationRequest request = HttpSecurityUtils.setRoutingContextAttribute(
                new HeraldTokenRequest(new BearerCredential.ApiKey(key.startsWith(BearerCredential.API_KEY_PREFIX)
                        ? key : BearerCredential.API_KEY_PREFIX + "invalid")), context);
        return identities.authenticate(request);
    }

    /** The password of an {@code Authorization: Basic} header, or null. */
    static String basicPassword(String header) {
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : decoded.substring(colon + 1);
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"herald\""));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(HeraldTokenRequest.class);
    }

    @Override
    public int getPriority() {
        return 1500; // after herald-security's bearer mechanism (2000), before Quarkus OIDC (1001)
    }
}

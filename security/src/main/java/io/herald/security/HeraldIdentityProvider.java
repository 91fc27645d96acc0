package io.herald.security;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/** Turns a {@link BearerCredential} into an identity: service tokens, API keys (ingest), Matrix users (rules-service). */
@ApplicationScoped
public class HeraldIdentityProvider implements IdentityProvider<HeraldTokenRequest> {

    private final Instance<ApiKeyVerifier> apiKeys;
    private final MatrixTokens matrixTokens;

    HeraldIdentityProvider(Instance<ApiKeyVerifier> apiKeys, MatrixTokens matrixTokens) {
        this.apiKeys = apiKeys;
        this.matrixTokens = matrixTokens;
    }

    @Override
    public Class<HeraldTokenRequest> getRequestType() {
        return HeraldTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(HeraldTokenRequest request, AuthenticationRequestContext context) {
        BearerCredential credential = request.credential();
        if (credential instanceof BearerCredential.Service s) {
            return Uni.createFrom().item(Callers.of(s.token()));
        }
        if (credential instanceof BearerCredential.ApiKey k) {
            return apiKeys.isResolvable() ? apiKeys.get().verify(k.secret(), context)
                    : Uni.createFrom().failure(AuthFailures.rejected("API keys (hrld_…) are accepted by ingest only;"
                            + " this service takes a service token or an OIDC access token"));
        }
        return matrixUser(((BearerCredential.MatrixToken) credential).token());
    }

    private Uni<SecurityIdentity> matrixUser(String token) {
        // The answer comes on an HTTP client thread: continue on the request's Vert.x context (its request scope).
        Context requestContext = Vertx.currentContext();
        Uni<MatrixTokens.Whoami> whoami = Uni.createFrom().completionStage(() -> matrixTokens.userOf(token));
        if (requestContext != null) {
            whoami = whoami.emitOn(task -> requestContext.runOnContext(ignored -> task.run()));
        }
        return whoami.map(answer -> {
            if (answer.unavailable() != null) {
                throw AuthFailures.unavailable(answer.unavailable(), null);
            }
            return answer.userId().map(Callers::matrixUser)
                    .orElseThrow(() -> AuthFailures.rejected("the homeserver does not know this access token"));
        });
    }
}

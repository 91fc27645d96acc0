package io.herald.ingest.auth;

import io.herald.security.ApiKeyVerifier;
import io.herald.security.AuthFailures;
import io.herald.security.Callers;
import io.herald.security.Roles;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.Set;

/**
 * API keys as identities of Herald's one authentication scheme: principal the key's id, role
 * {@link Roles#PUBLISHER}, the key's tenant, and the key itself as attribute {@link #API_KEY}. A recently verified key
 * is answered from memory on the event loop; a cache miss reads PostgreSQL on a worker thread.
 */
@ApplicationScoped
public class ApiKeyIdentities implements ApiKeyVerifier {

    /** Attribute holding the {@link ApiKey}. */
    public static final String API_KEY = "herald.api-key";

    private final ApiKeyStore keys;

    ApiKeyIdentities(ApiKeyStore keys) {
        this.keys = keys;
    }

    @Override
    public Uni<SecurityIdentity> verify(String secret, AuthenticationRequestContext context) {
        ApiKey cached = keys.cached(secret);
        if (cached != null) {
            return Uni.createFrom().item(identity(cached));
        }
        return context.runBlocking(() -> identity(lookUp(secret)));
    }

    private ApiKey lookUp(String secret) {
        Optional<ApiKey> verified;
        try {
            verified = keys.verify(secret);
        } catch (IllegalStateException e) { // the database is unreachable
            throw AuthFailures.unavailable("API keys cannot be checked right now; retry later", e);
        }
        return verified.orElseThrow(() -> AuthFailures.rejected("the API key is not valid (unknown or revoked)"));
    }

    static SecurityIdentity identity(ApiKey key) {
        return Callers.identity(Callers.Kind.API_KEY, key.id(), Set.of(Roles.PUBLISHER), Optional.of(key.tenant()))
                .addAttribute(API_KEY, key).build();
    }
}

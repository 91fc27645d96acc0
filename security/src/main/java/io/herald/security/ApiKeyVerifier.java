package io.herald.security;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Checks an ingest API key ({@code hrld_…}); a CDI bean in the service that stores them. Fails with
 * {@link AuthFailures#rejected} for an unknown or revoked key. Without such a bean, API keys are refused.
 */
public interface ApiKeyVerifier {
    Uni<SecurityIdentity> verify(String secret, AuthenticationRequestContext context);
}

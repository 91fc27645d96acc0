package io.herald.security;

import java.util.List;

/**
 * Service tokens a service adds to those of {@code herald.auth.tokens} (a CDI bean), e.g. ingest's deprecated
 * {@code herald.ingest.admin-token}.
 */
public interface ServiceTokenSource {
    List<ServiceToken> serviceTokens();
}

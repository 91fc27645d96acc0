package io.herald.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A bearer token for {@link HeraldIdentityProvider}. */
public final class HeraldTokenRequest extends BaseAuthenticationRequest {

    private final BearerCredential credential;

    public HeraldTokenRequest(BearerCredential credential) {
        this.credential = credential;
    }

    public BearerCredential credential() {
        return credential;
    }
}

package io.herald.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Everything under {@code herald.auth.*}: the same keys in the three services. */
@ConfigMapping(prefix = "herald.auth")
public interface AuthConfig {

    /** Static service tokens by name ({@code herald.auth.tokens.<name>.*}). */
    Map<String, Token> tokens();

    Oidc oidc();

    Matrix matrix();

    /** A service token as configured: its hash, never the token. */
    interface Token {
        /** Hex SHA-256 of the token ({@code printf %s "$TOKEN" | sha256sum}). */
        String sha256();

        /** Roles, e.g. {@code admin} or {@code operator}. */
        List<String> roles();

        /** The tenant the token is limited to; none: every tenant. */
        Optional<String> tenant();
    }

    /** OIDC bearer tokens ({@code quarkus.oidc.*} configures the provider; on once auth-server-url is set). */
    interface Oidc {
        /** Claim that names the caller's tenant; a token without it sees every tenant. */
        @WithDefault("tenant")
        String tenantClaim();
    }

    /** Matrix access tokens (the rules-service's push-rule and pusher APIs), checked with the homeserver's whoami. */
    interface Matrix {
        /** Client-server API base URL of the homeserver, e.g. {@code https://matrix.example.org}; none: off. */
        Optional<URI> homeserver();

        /** How long a whoami answer (valid or unknown token) is trusted. */
        @WithDefault("60s")
        Duration cacheTtl();

        /** Most tokens remembered at once. */
        @WithDefault("10000")
        long cacheSize();

        /** Timeout of one whoami request. */
        @WithDefault("10s")
        Duration timeout();
    }
}

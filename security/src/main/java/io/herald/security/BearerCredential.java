package io.herald.security;

/**
 * What a bearer token turned out to be, for {@link HeraldIdentityProvider}. OIDC tokens are not among them: the
 * Quarkus OIDC mechanism verifies those itself.
 */
public sealed interface BearerCredential {

    /** Prefix of service tokens ({@code hrldt_…}). */
    String SERVICE_TOKEN_PREFIX = "hrldt_";

    /** Prefix of ingest API keys ({@code hrld_…}). */
    String API_KEY_PREFIX = "hrld_";

    /** A configured service token (already matched). */
    record Service(ServiceToken token) implements BearerCredential {
    }

    /** An ingest API key, checked by the service's {@link ApiKeyVerifier}. */
    record ApiKey(String secret) implements BearerCredential {
        @Override
        public String toString() {
            return "ApiKey[…]";
        }
    }

    /** A Matrix access token, checked with the homeserver's whoami. */
    record MatrixToken(String token) implements BearerCredential {
        @Override
        public String toString() {
            return "MatrixToken[…]";
        }
    }

    /** Three base64url parts separated by dots: a JWT (a JWS compact serialization). */
    static boolean looksLikeJwt(String token) {
        int dots = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                dots++;
            } else if (!(Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_' || c == '=')) {
                return false;
            }
        }
        return dots == 2;
    }
}

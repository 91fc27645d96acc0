package io.herald.security;

import io.quarkus.security.AuthenticationFailedException;
import java.util.Map;

/**
 * Authentication failures with a reason that is safe to show the caller (never the token). Quarkus'
 * {@link AuthenticationFailedException} is final, so the reason and the kind travel as its attributes.
 */
public final class AuthFailures {

    static final String REASON = "herald.reason";
    static final String UNAVAILABLE = "herald.unavailable";

    private AuthFailures() {
    }

    /** 401: the token is not accepted (unknown, revoked, expired, wrong signature). */
    public static AuthenticationFailedException rejected(String reason) {
        return new AuthenticationFailedException(reason, Map.of(REASON, reason));
    }

    /**
     * 503 with Retry-After: the credential could not be checked right now (the homeserver or the API-key database
     * did not answer); it may well be valid.
     */
    public static AuthenticationFailedException unavailable(String reason, Throwable cause) {
        return new AuthenticationFailedException(reason, cause, Map.of(REASON, reason, UNAVAILABLE, true));
    }

    static String reason(AuthenticationFailedException e) {
        Object reason = e.getAttribute(REASON);
        return reason instanceof String s ? s : null;
    }

    static boolean unavailable(AuthenticationFailedException e) {
        return Boolean.TRUE.equals(e.getAttribute(UNAVAILABLE));
    }
}

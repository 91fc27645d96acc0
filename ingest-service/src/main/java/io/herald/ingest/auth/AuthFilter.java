package io.herald.ingest.auth;

import io.herald.common.problem.Problem;
import io.herald.ingest.HttpProblemException;
import io.herald.ingest.IngestConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authenticates before the body is read: {@code /v1/rooms/**} needs an API key ({@code Authorization: Bearer hrld_…})
 * allowed on the room and within its rate limit; {@code /v1/admin/**} needs {@code herald.ingest.admin-token}.
 * 401 missing or wrong credential, 403 room not allowed, 429 (with Retry-After) over the rate limit.
 */
public class AuthFilter {

    private final ApiKeyStore keys;
    private final RateLimiter rateLimiter;
    private final Caller caller;
    private final Optional<byte[]> adminTokenDigest;

    AuthFilter(ApiKeyStore keys, RateLimiter rateLimiter, Caller caller, IngestConfig config) {
        this.keys = keys;
        this.rateLimiter = rateLimiter;
        this.caller = caller;
        this.adminTokenDigest = config.adminToken().filter(t -> !t.isBlank()).map(ApiKeyStore::digest);
    }

    @ServerRequestFilter
    public Optional<Response> authenticate(ContainerRequestContext request, UriInfo uriInfo) {
        String path = uriInfo.getPath();
        if (path.startsWith("/v1/admin/") || path.equals("/v1/admin")) {
            admin(bearer(request));
        } else if (path.startsWith("/v1/rooms/")) {
            String room = uriInfo.getPathParameters().getFirst("room");
            String secret = bearer(request);
            if (secret == null) {
                throw HttpProblemException.unauthorized("an API key is required: Authorization: Bearer <key>");
            }
            Optional<ApiKey> verified;
            try {
                verified = keys.verify(secret);
            } catch (IllegalStateException e) { // the database is unreachable
                throw new HttpProblemException(Problem.of(Response.Status.SERVICE_UNAVAILABLE,
                        "API keys cannot be checked right now; retry later"), Map.of(HttpHeaders.RETRY_AFTER, "5"));
            }
            ApiKey key = verified.orElseThrow(
                    () -> HttpProblemException.unauthorized("the API key is not valid (unknown or revoked)"));
            if (room != null && !key.mayPostTo(room)) {
                throw HttpProblemException.of(Response.Status.FORBIDDEN,
                        "API key " + key.id() + " may not post to room '" + room + "'");
            }
            long wait = rateLimiter.acquire(key);
            if (wait > 0) {
                throw new HttpProblemException(Problem.of(Response.Status.TOO_MANY_REQUESTS,
                        "rate limit of API key " + key.id() + " exceeded; retry after " + wait + " s"),
                        Map.of(HttpHeaders.RETRY_AFTER, Long.toString(wait)));
            }
            caller.set(key);
        }
        return Optional.empty();
    }

    private void admin(String token) {
        // Compare digests: constant time, and independent of the lengths.
        if (token == null || adminTokenDigest.isEmpty()
                || !MessageDigest.isEqual(adminTokenDigest.get(), ApiKeyStore.digest(token))) {
            throw HttpProblemException.unauthorized("the admin API needs Authorization: Bearer <herald.ingest.admin-token>");
        }
    }

    private static String bearer(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() ? null : token;
    }
}

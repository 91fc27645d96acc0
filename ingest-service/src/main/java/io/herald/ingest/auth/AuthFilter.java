package io.herald.ingest.auth;

import io.herald.common.problem.Problem;
import io.herald.ingest.HttpProblemException;
import io.herald.ingest.IngestConfig;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.ext.web.RoutingContext;
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
    private final CurrentVertxRequest currentRequest;
    private final Optional<byte[]> adminTokenDigest;

    AuthFilter(ApiKeyStore keys, RateLimiter rateLimiter, CurrentVertxRequest currentRequest, IngestConfig config) {
        this.keys = keys;
        this.rateLimiter = rateLimiter;
        this.currentRequest = currentRequest;
        this.adminTokenDigest = config.adminToken().filter(t -> !t.isBlank()).map(ApiKeyStore::digest);
    }

    @ServerRequestFilter
    public Uni<Response> authenticate(ContainerRequestContext request, UriInfo uriInfo) {
        String path = uriInfo.getPath();
        if (path.startsWith("/v1/admin/") || path.equals("/v1/admin")) {
            admin(bearer(request));
        } else if (path.startsWith("/v1/rooms/")) {
            String room = uriInfo.getPathParameters().getFirst("room");
            String secret = bearer(request);
            if (secret == null) {
                throw HttpProblemException.unauthorized("an API key is required: Authorization: Bearer <key>");
            }
            RoutingContext routingContext = currentRequest.getCurrent();
            ApiKey cached = keys.cached(secret);
            if (cached != null) {
                admit(routingContext, cached, room);
                return Uni.createFrom().nullItem();
            }
            // A cache miss reads PostgreSQL: off the event loop.
            return Uni.createFrom().item(() -> lookUp(secret))
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                    .map(key -> {
                        admit(routingContext, key, room);
                        return null;
                    });
        }
        return Uni.createFrom().nullItem();
    }

    private ApiKey lookUp(String secret) {
        Optional<ApiKey> verified;
        try {
            verified = keys.verify(secret);
        } catch (IllegalStateException e) { // the database is unreachable
            throw new HttpProblemException(Problem.of(Response.Status.SERVICE_UNAVAILABLE,
                    "API keys cannot be checked right now; retry later"), Map.of(HttpHeaders.RETRY_AFTER, "5"));
        }
        return verified.orElseThrow(
                () -> HttpProblemException.unauthorized("the API key is not valid (unknown or revoked)"));
    }

    /** 403 for a room the key may not use, 429 over its rate limit; else the request goes on as this key. */
    private void admit(RoutingContext routingContext, ApiKey key, String room) {
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
        Caller.set(routingContext, key);
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

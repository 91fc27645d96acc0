package io.herald.ingest.auth;

import io.herald.common.problem.Problem;
import io.herald.ingest.HttpProblemException;
import io.herald.security.Roles;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * What an API key may do beyond its role, on the {@link RoomAccess} resources, before the body is read: 403 for a room
 * the key may not post to, 429 (with Retry-After) over its rate limit; else the request goes on as this key
 * ({@link Caller}). Callers without the publisher role are left to the resources' role check (401 or 403).
 */
public class RoomAccessFilter {

    private final RateLimiter rateLimiter;
    private final CurrentVertxRequest currentRequest;
    private final CurrentIdentityAssociation identity;

    RoomAccessFilter(RateLimiter rateLimiter, CurrentVertxRequest currentRequest, CurrentIdentityAssociation identity) {
        this.rateLimiter = rateLimiter;
        this.currentRequest = currentRequest;
        this.identity = identity;
    }

    @ServerRequestFilter
    @RoomAccess
    public Uni<Response> admit(UriInfo uriInfo) {
        String room = uriInfo.getPathParameters().getFirst("room");
        RoutingContext routingContext = currentRequest.getCurrent();
        return identity.getDeferredIdentity().map(caller -> {
            admit(routingContext, caller, room);
            return null;
        });
    }

    private void admit(RoutingContext routingContext, SecurityIdentity caller, String room) {
        if (caller.isAnonymous() || !caller.hasRole(Roles.PUBLISHER)) {
            return; // the role check answers
        }
        Object attribute = caller.getAttribute(ApiKeyIdentities.API_KEY);
        if (!(attribute instanceof ApiKey key)) {
            throw HttpProblemException.of(Response.Status.FORBIDDEN,
                    "posting notifications needs an API key (hrld_…): it carries the sender and the rooms");
        }
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
}

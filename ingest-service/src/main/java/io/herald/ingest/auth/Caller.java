package io.herald.ingest.auth;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The API key of the current request, put there by {@link AuthFilter}. Kept on the request's routing context rather
 * than in a request-scoped bean because the filter may learn the key on a worker thread (a cache miss reads the
 * database) while the request itself continues on the event loop.
 */
@ApplicationScoped
public class Caller {
    private static final String KEY = "herald.api-key";

    private final CurrentVertxRequest request;

    Caller(CurrentVertxRequest request) {
        this.request = request;
    }

    public ApiKey key() {
        ApiKey key = request.getCurrent().get(KEY);
        if (key == null) {
            throw new IllegalStateException("no authenticated API key on this request");
        }
        return key;
    }

    static void set(RoutingContext routingContext, ApiKey key) {
        routingContext.put(KEY, key);
    }
}

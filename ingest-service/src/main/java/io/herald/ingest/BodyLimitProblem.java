package io.herald.ingest;

import io.herald.common.Json;
import io.herald.common.problem.Problem;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A request whose Content-Length is over {@code quarkus.http.limits.max-body-size} gets a problem-details 413 before
 * its body is read (the HTTP layer's own limit, which also covers chunked bodies, answers an empty 413).
 */
@ApplicationScoped
public class BodyLimitProblem {

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    MemorySize maxBodySize;

    void install(@Observes Router router) {
        long limit = maxBodySize.asLongValue();
        String body = Json.encode(Problem.of(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                "request body larger than " + limit + " bytes"));
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            if (length != null && tooLarge(length, limit)) {
                ctx.response().setStatusCode(413).putHeader("Content-Type", Problem.MEDIA_TYPE.toString())
                        .putHeader("Connection", "close").end(body);
            } else {
                ctx.next();
            }
        });
    }

    private static boolean tooLarge(String length, long limit) {
        try {
            return Long.parseLong(length.trim()) > limit;
        } catch (NumberFormatException e) {
            return false; // the HTTP layer refuses it
        }
    }
}

package io.herald.ingest.notification;

import io.herald.common.problem.Problem;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** 503 with Retry-After: nothing was accepted, so a retry (with the same Idempotency-Key) is safe. */
@Provider
public class BrokerUnavailableMapper implements ExceptionMapper<BrokerUnavailableException> {
    @Override
    public Response toResponse(BrokerUnavailableException e) {
        Response problem = Problem.of(Response.Status.SERVICE_UNAVAILABLE,
                "the notification was not accepted because Kafka is unavailable; retry later").toResponse();
        return Response.fromResponse(problem).header(HttpHeaders.RETRY_AFTER, "5").build();
    }
}

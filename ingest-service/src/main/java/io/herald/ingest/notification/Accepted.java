package io.herald.ingest.notification;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The 202 answer: the notification id(s), on Kafka, and where to ask how each is doing. */
@Schema(description = "Accepted: the records are on Kafka (acks=all)")
public record Accepted(@Schema(description = "the notification id (the first one for webhooks)") String id,
        @Schema(description = "every notification id of the request") List<String> ids,
        @Schema(description = "the status URL of each notification (GET, with the same API key); the first one is also"
                + " the Location header") List<String> statusUrls) {

    public static Accepted of(List<String> ids) {
        return new Accepted(ids.isEmpty() ? null : ids.get(0), ids, ids.stream().map(Accepted::statusUrl).toList());
    }

    /** Where the status of a notification is shown. */
    public static String statusUrl(String id) {
        return "/v1/notifications/" + id;
    }

    /** The 202 response with these ids, and {@code Location} naming the first one's status. */
    public static Response response(List<String> ids) {
        Response.ResponseBuilder builder = Response.accepted(of(ids));
        if (!ids.isEmpty()) {
            // a relative reference (RFC 9110 allows it), set as it is: resolving it against the request's URI would need
            // the request context, which is not propagated to the broker's callback that completes the request
            builder.header(HttpHeaders.LOCATION, statusUrl(ids.get(0)));
        }
        return builder.build();
    }
}

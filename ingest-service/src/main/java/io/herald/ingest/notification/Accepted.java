package io.herald.ingest.notification;

import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The 202 answer: the notification id(s), on Kafka. */
@Schema(description = "Accepted: the records are on Kafka (acks=all)")
public record Accepted(@Schema(description = "the notification id (the first one for webhooks)") String id,
        @Schema(description = "every notification id of the request") List<String> ids) {

    public static Accepted of(List<String> ids) {
        return new Accepted(ids.isEmpty() ? null : ids.get(0), ids);
    }

    /** The 202 response with these ids. */
    public static Response response(List<String> ids) {
        return Response.accepted(of(ids)).build();
    }
}

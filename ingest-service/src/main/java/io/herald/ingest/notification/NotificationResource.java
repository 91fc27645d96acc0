package io.herald.ingest.notification;

import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

@Path("/v1/rooms/{room}/notifications")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class NotificationResource {

    /** Herald room keys: short, URL- and Kafka-key-safe. */
    public static final String ROOM_KEY = "[A-Za-z0-9._~-]{1,128}";

    private final NotificationPublisher publisher;

    NotificationResource(NotificationPublisher publisher) {
        this.publisher = publisher;
    }

    /** Answers 202 with the notification id once Kafka acknowledged the record (acks=all). */
    @POST
    public Uni<Response> post(@PathParam("room") @Pattern(regexp = ROOM_KEY,
            message = "must be 1-128 characters of A-Z a-z 0-9 . _ ~ -") String room,
            @Valid @NotNull(message = "a JSON object is required") NotificationRequest request) {
        return publisher.publish(room, request)
                .map(id -> Response.accepted(Map.of("id", id)).build());
    }
}

package io.herald.dispatcher.devsink;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.herald.common.MessageRenderer;
import io.herald.common.problem.Problem;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A development sink: a fake homeserver inside the dispatcher that records what Herald would have posted, so a
 * first run needs no Matrix server. Point an account at {@code http://127.0.0.1:8083/dev/homeserver} and look at
 * {@code GET /dev/sink} (JSON) or {@code /dev/sink.html}. Like a homeserver, it answers a repeated txnId with the
 * event it already created. Off unless {@code herald.dev-sink.enabled=true}; keeps the last 1,000 messages.
 */
@Path("/dev")
public class DevHomeserver {

    private static final int KEEP = 1000;

    public record SentMessage(@JsonProperty("event_id") String eventId, @JsonProperty("room_id") String roomId,
            @JsonProperty("event_type") String eventType, @JsonProperty("txn_id") String txnId,
            Map<String, Object> content, @JsonProperty("received_at") Instant receivedAt) {
    }

    private final boolean enabled;
    private final Map<String, SentMessage> byTxn = new ConcurrentHashMap<>();
    private final List<SentMessage> messages = new ArrayList<>();
    private final AtomicLong sequence = new AtomicLong();

    DevHomeserver(@ConfigProperty(name = "herald.dev-sink.enabled") boolean enabled) {
        this.enabled = enabled;
    }

    @PUT
    @Path("homeserver/_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response send(@PathParam("roomId") String roomId, @PathParam("eventType") String eventType,
            @PathParam("txnId") String txnId, @HeaderParam("Authorization") String authorization,
            Map<String, Object> content) {
        requireEnabled();
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return Response.status(401).type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("errcode", "M_MISSING_TOKEN", "error", "Missing access token")).build();
        }
        SentMessage message = byTxn.computeIfAbsent(roomId + "/" + txnId, k -> {
            SentMessage m = new SentMessage("$dev" + sequence.incrementAndGet(), roomId, eventType, txnId, content,
                    Instant.now());
            synchronized (messages) {
                messages.add(m);
                if (messages.size() > KEEP) {
                    SentMessage oldest = messages.remove(0);
                    byTxn.remove(oldest.roomId() + "/" + oldest.txnId());
                }
            }
            return m;
        });
        return Response.ok(Map.of("event_id", message.eventId())).build();
    }

    @GET
    @Path("sink")
    @Produces(MediaType.APPLICATION_JSON)
    public List<SentMessage> sink() {
        requireEnabled();
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    @GET
    @Path("sink.html")
    @Produces(MediaType.TEXT_HTML)
    public String page() {
        StringBuilder html = new StringBuilder("<!doctype html><meta charset=utf-8><title>Herald dev sink</title>"
                + "<h1>Herald dev sink</h1><p>What Herald would have posted into Matrix rooms, newest first.</p><table border=1 cellpadding=4>"
                + "<tr><th>received</th><th>room</th><th>msgtype</th><th>message</th></tr>");
        List<SentMessage> all = new ArrayList<>(sink());
        java.util.Collections.reverse(all);
        for (SentMessage m : all) {
            html.append("<tr><td>").append(m.receivedAt()).append("</td><td>").append(MessageRenderer.escapeHtml(m.roomId()))
                    .append("</td><td>").append(MessageRenderer.escapeHtml(String.valueOf(m.content().get("msgtype"))))
                    // formatted_body was escaped by Herald; showing the plain body escaped again keeps this page safe
                    .append("</td><td><pre>").append(MessageRenderer.escapeHtml(String.valueOf(m.content().get("body"))))
                    .append("</pre></td></tr>");
        }
        return html.append("</table>").toString();
    }

    @DELETE
    @Path("sink")
    public Response clear() {
        requireEnabled();
        synchronized (messages) {
            messages.clear();
            byTxn.clear();
        }
        return Response.noContent().build();
    }

    private void requireEnabled() {
        if (!enabled) {
            throw Problem.exception(Response.Status.NOT_FOUND, "the dev sink is off (herald.dev-sink.enabled=false)");
        }
    }
}

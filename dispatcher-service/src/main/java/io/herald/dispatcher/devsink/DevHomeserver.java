package io.herald.dispatcher.devsink;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.herald.common.problem.Problem;
import io.herald.security.AllTenantsOnly;
import io.herald.security.Roles;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
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
 *
 * <p>Who may call it: reading and clearing the sink shows message bodies of every room, so it needs an operator of
 * every tenant, like dead letters. The fake homeserver itself is open (the dispatcher calls it with an account's Matrix
 * token, which is no Herald credential; it only records), and so is the page, which holds no data: its script asks
 * for a token and reads {@code /dev/sink} with it.
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
    @PermitAll
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

    /** A redaction, recorded as an {@code m.room.redaction} event whose content names what it redacts. */
    @PUT
    @Path("homeserver/_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}")
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response redact(@PathParam("roomId") String roomId, @PathParam("eventId") String eventId,
            @PathParam("txnId") String txnId, @HeaderParam("Authorization") String authorization,
            Map<String, Object> body) {
        Map<String, Object> content = new java.util.LinkedHashMap<>(body == null ? Map.of() : body);
        content.put("redacts", eventId);
        return send(roomId, "m.room.redaction", txnId, authorization, content);
    }

    @GET
    @Path("sink")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    @AllTenantsOnly
    public List<SentMessage> sink() {
        requireEnabled();
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    /**
     * The sink as a page. It carries no data: its script reads {@code /dev/sink} with a token from the page's
     * fragment ({@code sink.html#token=hrldt_…}, which browsers never send to the server) or typed in, kept in the
     * tab's session storage, and shows the messages as text (never as HTML).
     */
    @GET
    @Path("sink.html")
    @Produces(MediaType.TEXT_HTML)
    @PermitAll
    public String page() {
        requireEnabled();
        return PAGE;
    }

    private static final String PAGE = """
            <!doctype html><meta charset=utf-8><title>Herald dev sink</title>
            <h1>Herald dev sink</h1><p>What Herald would have posted into Matrix rooms, newest first.</p>
            <form id=auth><label>Operator token <input id=token type=password size=50></label> <button>Show</button></form>
            <p id=status></p>
            <table border=1 cellpadding=4><thead><tr><th>received</th><th>room</th><th>msgtype</th><th>message</th></tr>
            </thead><tbody id=rows></tbody></table>
            <script>
            const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
            if (fromFragment) { sessionStorage.setItem('herald-token', fromFragment); history.replaceState(null, '', location.pathname); }
            async function show() {
              const token = sessionStorage.getItem('herald-token');
              if (!token) { document.getElementById('status').textContent = 'Enter an operator token (run.sh prints one).'; return; }
              const response = await fetch('sink', {headers: {Authorization: 'Bearer ' + token}});
              if (!response.ok) { document.getElementById('status').textContent = 'HTTP ' + response.status + ': ' + (await response.json()).detail; return; }
              const rows = document.getElementById('rows');
              rows.replaceChildren();
              for (const m of (await response.json()).reverse()) {
                const tr = rows.insertRow();
                for (const text of [m.received_at, m.room_id, m.content.msgtype, m.content.body]) {
                  const cell = tr.insertCell();
                  const pre = document.createElement('pre');
                  pre.textContent = String(text);
                  cell.append(pre);
                }
              }
              document.getElementById('status').textContent = '';
            }
            document.getElementById('auth').onsubmit = e => { e.preventDefault(); sessionStorage.setItem('herald-token', document.getElementById('token').value); show(); };
            show();
            </script>
            """;

    @DELETE
    @Path("sink")
    @RolesAllowed(Roles.OPERATOR)
    @AllTenantsOnly
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

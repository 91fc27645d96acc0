package io.herald.dispatcher.send;

import io.herald.dispatcher.http.RetryAfter;
import io.herald.dispatcher.http.SafeText;
import io.herald.dispatcher.outbound.OutboundFailures;
import io.herald.dispatcher.outbound.OutboundGuard;
import io.herald.dispatcher.outbound.Target;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one place that reads what homeservers and push gateways answer to a send: status to {@link SendResult}, the
 * waits they ask for ({@link RetryAfter}), error bodies, event ids, and I/O failures. Everything it returns fits what
 * Herald stores: texts are {@link SafeText safe}, event ids that are not usable are dropped.
 */
@ApplicationScoped
public class Answers {

    /** The delivery log's column for event ids is this long; Matrix event ids are far shorter. */
    public static final int MAX_EVENT_ID = 255;

    private final RetryAfter retryAfter;
    private final OutboundFailures failures;

    public Answers(RetryAfter retryAfter, OutboundFailures failures) {
        this.retryAfter = retryAfter;
        this.failures = failures;
    }

    /** A homeserver's answer to {@code PUT /_matrix/client/v3/rooms/{roomId}/send/...}. */
    public SendResult roomSend(HttpResponse<Buffer> response) {
        int status = response.statusCode();
        JsonObject body = jsonBody(response);
        if (status >= 200 && status < 300) {
            Object eventId = body == null ? null : body.getValue("event_id");
            String usable = usableEventId(eventId);
            return new SendResult.Delivered(status, usable, usable != null || eventId == null ? null
                    : "the homeserver answered an unusable event_id: " + SafeText.of(String.valueOf(eventId)));
        }
        String reason = reason(status, response, body);
        if (status == 401 && body != null && "M_UNKNOWN_TOKEN".equals(body.getValue("errcode"))) {
            return new SendResult.UnknownToken(status, reason);
        }
        return byStatus(status, reason, response, body);
    }

    /** A push gateway's answer to {@code POST /_matrix/push/v1/notify} for one device ({@code pushkey}). */
    public SendResult gatewayNotify(HttpResponse<Buffer> response, String pushkey) {
        int status = response.statusCode();
        JsonObject body = jsonBody(response);
        if (status >= 200 && status < 300) {
            JsonArray rejected = body == null || !(body.getValue("rejected") instanceof JsonArray a) ? null : a;
            return rejected != null && rejected.contains(pushkey) ? new SendResult.PushkeyRejected(status)
                    : SendResult.delivered(status, null);
        }
        return byStatus(status, reason(status, response, body) + " from the push gateway", response, body);
    }

    /**
     * A request to {@code target} that got no answer: timeout, refused or reset connection, TLS failure. The reason
     * names no address (tenants read it); the details are logged.
     */
    public SendResult failure(Target target, Throwable e) {
        return SendResult.retry(null, failures.reason(target.toString(), e));
    }

    /**
     * A request the outbound guard did not let through: a refused destination is a dead letter, a host name that does
     * not resolve (now) is retried like a host that does not answer. (The guard logged the details.)
     */
    public SendResult notSent(OutboundGuard.Verdict verdict) {
        if (verdict instanceof OutboundGuard.Verdict.Unresolved unresolved) {
            return SendResult.retry(null, unresolved.reason());
        }
        return SendResult.rejected(null, ((OutboundGuard.Verdict.Refused) verdict).reason());
    }

    private SendResult byStatus(int status, String reason, HttpResponse<Buffer> response, JsonObject body) {
        if (status == 429) {
            return new SendResult.Retry(status, reason, retryAfter.of(response.getHeader("Retry-After"), body), false);
        }
        if (status == 408 || status >= 500) {
            return new SendResult.Retry(status, reason, null, true);
        }
        if (status >= 300 && status < 400) {
            return SendResult.rejected(status, reason + " (redirects are not followed)");
        }
        return SendResult.rejected(status, reason);
    }

    /** The error text of an answer: status, errcode and error of a Matrix error body, else what kind of body it was. */
    private static String reason(int status, HttpResponse<Buffer> response, JsonObject body) {
        if (body != null && (body.getValue("errcode") != null || body.getValue("error") != null)) {
            return SafeText.of(("HTTP " + status + " " + string(body.getValue("errcode")) + ": "
                    + string(body.getValue("error"))).stripTrailing());
        }
        Buffer raw = response.body();
        if (raw == null || raw.length() == 0) {
            return "HTTP " + status;
        }
        String type = response.getHeader("Content-Type");
        return "HTTP " + status + " (" + (type == null ? "no content type" : SafeText.of(type)) + ", " + raw.length() + " bytes)";
    }

    /** A Matrix event id Herald can keep: a string starting with {@code $}, printable, at most {@value #MAX_EVENT_ID}. */
    static String usableEventId(Object value) {
        if (!(value instanceof String s) || s.length() < 2 || s.length() > MAX_EVENT_ID || s.charAt(0) != '$') {
            return null;
        }
        for (int i = 1; i < s.length(); i++) { // a loop, not a stream: this runs for every message sent
            char c = s.charAt(i);
            if (c <= 0x20 || c == 0x7f) {
                return null;
            }
        }
        return s;
    }

    private static String string(Object value) {
        return value == null ? "" : value.toString();
    }

    private static JsonObject jsonBody(HttpResponse<Buffer> response) {
        try {
            Buffer b = response.body();
            return b == null || b.length() == 0 ? null : b.toJsonObject();
        } catch (RuntimeException notJson) {
            return null;
        }
    }
}

package io.herald.dispatcher.send;

import io.herald.dispatcher.DispatcherConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * The one place that reads what homeservers and push gateways answer: status to {@link SendResult}, the waits they
 * ask for ({@code Retry-After} in seconds or as an HTTP date, the body's {@code retry_after_ms}) clamped to
 * {@code [0, herald.dispatcher.retry-after.max]}, error bodies, event ids, and I/O failures. Everything it returns
 * fits what Herald stores: texts are cut to {@value #MAX_TEXT} characters and stripped of control characters (a NUL
 * in an error message must not make the delivery log refuse the row), event ids that are not usable are dropped.
 */
@ApplicationScoped
public class Answers {

    /** Longest text kept from a peer's answer. */
    public static final int MAX_TEXT = 1000;
    /** The delivery log's column for event ids is this long; Matrix event ids are far shorter. */
    public static final int MAX_EVENT_ID = 255;

    private final Duration maxWait;

    @Inject
    Answers(DispatcherConfig config) {
        this(config.retryAfter().max());
    }

    public Answers(Duration maxWait) {
        this.maxWait = maxWait;
    }

    /** A homeserver's answer to {@code PUT /_matrix/client/v3/rooms/{roomId}/send/...}. */
    public SendResult roomSend(HttpResponse<Buffer> response) {
        int status = response.statusCode();
        JsonObject body = jsonBody(response);
        if (status >= 200 && status < 300) {
            Object eventId = body == null ? null : body.getValue("event_id");
            String usable = usableEventId(eventId);
            return new SendResult.Delivered(status, usable, usable != null || eventId == null ? null
                    : "the homeserver answered an unusable event_id: " + text(String.valueOf(eventId)));
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

    /** A request that got no answer: timeout, refused or reset connection, TLS or DNS failure. */
    public SendResult failure(Throwable e) {
        return SendResult.retry(null, describe(e));
    }

    private SendResult byStatus(int status, String reason, HttpResponse<Buffer> response, JsonObject body) {
        if (status == 429) {
            return new SendResult.Retry(status, reason, retryAfter(response.getHeader("Retry-After"), body), false);
        }
        if (status == 408 || status >= 500) {
            return new SendResult.Retry(status, reason, null, true);
        }
        if (status >= 300 && status < 400) {
            return SendResult.rejected(status, reason + " (redirects are not followed)");
        }
        return SendResult.rejected(status, reason);
    }

    /**
     * The wait a peer asked for, clamped: {@code Retry-After} (delta seconds or an HTTP date) first, then the body's
     * {@code retry_after_ms}; negative waits are zero ("retry now"), absurd ones the maximum; null when the peer named
     * none (use the backoff).
     */
    public Duration retryAfter(String header, JsonObject body) {
        if (header != null && !header.isBlank()) {
            Duration fromHeader = headerWait(header.trim());
            if (fromHeader != null) {
                return fromHeader;
            }
        }
        Object millis = body == null ? null : body.getValue("retry_after_ms");
        if (millis instanceof Number n) {
            double ms = n.doubleValue();
            if (Double.isNaN(ms) || ms <= 0) {
                return Duration.ZERO;
            }
            return ms >= maxWait.toMillis() ? maxWait : Duration.ofMillis((long) ms);
        }
        return null;
    }

    private Duration headerWait(String header) {
        if (header.chars().allMatch(Character::isDigit)) {
            // Longer than any long (or any sane wait): the maximum, without overflowing.
            if (header.length() > 12) {
                return maxWait;
            }
            return clamp(Duration.ofSeconds(Long.parseLong(header)));
        }
        if (header.startsWith("-") && header.length() > 1 && header.substring(1).chars().allMatch(Character::isDigit)) {
            return Duration.ZERO;
        }
        try {
            Instant at = ZonedDateTime.parse(header, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return clamp(Duration.between(Instant.now(), at));
        } catch (DateTimeParseException e) {
            return null; // garbage: fall through to the body, then the backoff
        }
    }

    private Duration clamp(Duration wait) {
        if (wait.isNegative()) {
            return Duration.ZERO;
        }
        return wait.compareTo(maxWait) > 0 ? maxWait : wait;
    }

    /** The error text of an answer: status, errcode and error of a Matrix error body, else what kind of body it was. */
    private static String reason(int status, HttpResponse<Buffer> response, JsonObject body) {
        if (body != null && (body.getValue("errcode") != null || body.getValue("error") != null)) {
            return text(("HTTP " + status + " " + string(body.getValue("errcode")) + ": "
                    + string(body.getValue("error"))).stripTrailing());
        }
        Buffer raw = response.body();
        if (raw == null || raw.length() == 0) {
            return "HTTP " + status;
        }
        String type = response.getHeader("Content-Type");
        return "HTTP " + status + " (" + (type == null ? "no content type" : text(type)) + ", " + raw.length() + " bytes)";
    }

    /** A Matrix event id Herald can keep: a string starting with {@code $}, printable, at most {@value #MAX_EVENT_ID}. */
    static String usableEventId(Object value) {
        if (!(value instanceof String s) || s.length() < 2 || s.length() > MAX_EVENT_ID || s.charAt(0) != '$') {
            return null;
        }
        return s.chars().allMatch(c -> c > 0x20 && c != 0x7f) ? s : null;
    }

    /** Safe to store and log: control characters (NUL included) become spaces, at most {@value #MAX_TEXT} characters. */
    public static String text(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_TEXT));
        for (int i = 0; i < s.length() && out.length() < MAX_TEXT; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1)))) {
                out.append('\uFFFD'); // a lone surrogate cannot be encoded as UTF-8
            } else if (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))) {
                out.append('\uFFFD');
            } else {
                out.append(Character.isISOControl(c) ? ' ' : c);
            }
        }
        if (out.length() == MAX_TEXT && Character.isHighSurrogate(out.charAt(MAX_TEXT - 1))) {
            out.setLength(MAX_TEXT - 1);
        }
        return out.toString();
    }

    /** What went wrong with a request that got no answer, in words an operator can act on. */
    public static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException || t.getClass().getName().startsWith("io.netty.handler.ssl.")) {
                return text("TLS failure (" + t.getMessage() + ")");
            }
            if (t instanceof UnknownHostException) {
                return text("unknown host " + t.getMessage());
            }
            if (t instanceof ConnectException) {
                return text("unreachable (" + t.getMessage() + ")");
            }
            if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
                return "timed out";
            }
        }
        return text(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
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

package io.herald.telemetry;

import io.opentelemetry.api.trace.SpanContext;
import org.jboss.logging.MDC;

/**
 * The fields a log line about a notification or a delivery carries (MDC, so in JSON logs they are fields of the
 * line's {@code mdc} object): {@value #NOTIFICATION_ID}, {@value #DELIVERY_ID}, {@value #ROOM}, {@value #DESTINATION}
 * and, when it is traced (sampled), {@value #TRACE_ID} and {@value #SPAN_ID} (the names Quarkus uses for the request's span).
 * Set around the statements that log, on whichever thread they run, and restored when closed:
 *
 * <pre>{@code
 * try (LogFields fields = LogFields.delivery(...)) {
 *     LOG.warnf("delivery %s to %s: dead letter: %s", ...);
 * }
 * }</pre>
 *
 * Never a secret: ids, the room key and the destination key (an account and room id, or a pusher's app id, pushkey
 * and gateway URL, which Herald's log lines already name).
 */
public final class LogFields implements AutoCloseable {

    public static final String NOTIFICATION_ID = "notification_id";
    public static final String DELIVERY_ID = "delivery_id";
    public static final String ROOM = "room";
    public static final String DESTINATION = "destination";
    public static final String TRACE_ID = "traceId";
    public static final String SPAN_ID = "spanId";

    private static final String[] KEYS = {NOTIFICATION_ID, DELIVERY_ID, ROOM, DESTINATION, TRACE_ID, SPAN_ID};

    private final Object[] previous = new Object[KEYS.length];
    private final boolean[] set = new boolean[KEYS.length];

    private LogFields(String notificationId, String deliveryId, String room, String destination, SpanContext span) {
        boolean traced = span != null && span.isSampled(); // a trace id nobody exported would lead nowhere
        put(0, notificationId);
        put(1, deliveryId);
        put(2, room);
        put(3, destination);
        put(4, traced ? span.getTraceId() : null);
        put(5, traced ? span.getSpanId() : null);
    }

    /** A notification (no delivery yet). */
    public static LogFields notification(String notificationId, String room, SpanContext span) {
        return new LogFields(notificationId, null, room, null, span);
    }

    /** A delivery. */
    public static LogFields delivery(String notificationId, String deliveryId, String room, String destination,
            SpanContext span) {
        return new LogFields(notificationId, deliveryId, room, destination, span);
    }

    private void put(int i, String value) {
        if (value != null) {
            previous[i] = MDC.put(KEYS[i], value);
            set[i] = true;
        }
    }

    /** Puts back what the thread had before. */
    @Override
    public void close() {
        for (int i = 0; i < KEYS.length; i++) {
            if (set[i]) {
                if (previous[i] == null) {
                    MDC.remove(KEYS[i]);
                } else {
                    MDC.put(KEYS[i], previous[i]);
                }
            }
        }
    }
}

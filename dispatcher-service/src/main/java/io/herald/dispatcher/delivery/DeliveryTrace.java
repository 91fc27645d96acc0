package io.herald.dispatcher.delivery;

import io.herald.common.Delivery;
import io.herald.common.Topics;
import io.herald.dispatcher.send.SendResult;
import io.herald.telemetry.LogFields;
import io.herald.telemetry.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.util.function.Function;
import org.apache.kafka.common.header.Headers;

/**
 * The trace of one delivery in the dispatcher, carried explicitly with its record ({@link Fresh#trace}) or made from
 * the {@code traceparent} kept with a parked one: a {@code process herald.deliveries} span continuing the trace the
 * record's headers carry (for a parked delivery, one {@code drain parked delivery} span per attempt, under that span),
 * a client span per send attempt under it, and how the delivery ended ({@code herald.outcome}: delivered, retry,
 * parked, dead, rejected, purged, abandoned). {@link #NONE} when tracing is off or the delivery is not traced: every
 * method is a no-op and allocates nothing, except {@link #fields} (log lines carry the delivery's fields whether or not
 * it is traced).
 */
final class DeliveryTrace {

    static final DeliveryTrace NONE = new DeliveryTrace(null, Span.getInvalid(), null);

    private final Tracing tracing;
    private final Span span;
    /** The host label ({@code server.address}), asked for after an attempt: the account's homeserver is known then. */
    private final Function<Delivery, String> hosts;

    private DeliveryTrace(Tracing tracing, Span span, Function<Delivery, String> hosts) {
        this.tracing = tracing;
        this.span = span;
        this.hosts = hosts;
    }

    /**
     * A record of herald.deliveries was received: its span continues the trace in its headers; {@link #NONE} for a
     * record without one (its notification is not traced: the dispatcher never starts a trace).
     */
    static DeliveryTrace received(Tracing tracing, Delivery delivery, Headers headers, int partition, long offset,
            Function<Delivery, String> hosts) {
        Span span = tracing.process(Topics.DELIVERIES, headers, partition, offset, false);
        return span.isRecording() ? new DeliveryTrace(tracing, describe(span, delivery), hosts) : NONE;
    }

    /**
     * One attempt at a parked delivery: a span under the one its record had (kept in the parking lot); {@link #NONE}
     * when it had none.
     */
    static DeliveryTrace parked(Tracing tracing, ParkingLot.Row row, Function<Delivery, String> hosts) {
        if (!tracing.enabled() || row.traceParent() == null) {
            return NONE;
        }
        Span span = tracing.continueTrace("drain parked delivery", SpanKind.INTERNAL,
                tracing.fromTraceParent(row.traceParent()));
        return span.isRecording() ? new DeliveryTrace(tracing, describe(span, row.delivery()), hosts) : NONE;
    }

    private static Span describe(Span span, Delivery delivery) {
        span.setAttribute(Tracing.DELIVERY_ID, delivery.id());
        span.setAttribute(Tracing.NOTIFICATION_ID, delivery.notificationId());
        span.setAttribute(Tracing.ROOM, delivery.room());
        span.setAttribute(Tracing.DESTINATION_KIND, DeliveryMetrics.kind(delivery));
        return span;
    }

    /** A client span for one send attempt (the homeserver's or gateway's request). */
    Span send(Delivery delivery) {
        if (tracing == null) {
            return span;
        }
        boolean room = delivery.destination().matrixRoom() != null;
        Span send = tracing.start(room ? "PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}"
                : "POST /_matrix/push/v1/notify", SpanKind.CLIENT, Context.root().with(span));
        send.setAttribute(Tracing.HTTP_METHOD, room ? "PUT" : "POST");
        send.setAttribute(Tracing.DELIVERY_ID, delivery.id());
        return send;
    }

    /** The attempt's answer. */
    void sent(Span send, Delivery delivery, SendResult result) {
        if (tracing == null || !send.isRecording()) {
            return; // off, or a notification not sampled: no attribute to look up
        }
        try {
            String host = hosts.apply(delivery);
            send.setAttribute(Tracing.SERVER_ADDRESS, host);
            span.setAttribute(Tracing.SERVER_ADDRESS, host);
        } catch (RuntimeException e) {
            // a label is not worth a lane: this runs before the lane hands the result on
        }
        if (result.status() != null) {
            send.setAttribute(Tracing.HTTP_STATUS, (long) result.status());
        }
        send.setAttribute(Tracing.OUTCOME, result.outcome());
        if (!(result instanceof SendResult.Delivered || result instanceof SendResult.Waiting)) {
            send.setStatus(StatusCode.ERROR, String.valueOf(result.reason()));
        }
        send.end();
    }

    /** The attempt failed inside Herald (a bug; the lane retries). */
    void failed(Span send, Throwable failure) {
        Tracing.end(send, failure);
    }

    /** What the delivery pipeline made of an attempt. */
    void attempted(SendResult result, DeliveryProcessor.Next next) {
        if (tracing != null) {
            outcome(next instanceof DeliveryProcessor.Next.Settle ? settled(result) : "retry");
        }
    }

    private static String settled(SendResult result) {
        if (result instanceof SendResult.Delivered) {
            return "delivered";
        }
        return result instanceof SendResult.PushkeyRejected ? "rejected" : "dead";
    }

    void outcome(String outcome) {
        if (tracing != null && span.isRecording()) {
            span.setAttribute(Tracing.OUTCOME, outcome);
            if (outcome.equals("dead")) {
                span.setStatus(StatusCode.ERROR, "dead-lettered");
            }
        }
    }

    /** Moved to the parking lot: the span ends, the drain attempts continue the trace under it. */
    void parked() {
        if (tracing != null && span.isRecording()) {
            span.addEvent("parked");
            outcome("parked");
        }
    }

    void end() {
        span.end();
    }

    /** The span's {@code traceparent}, kept with a parked delivery; null when not traced. */
    String traceParent() {
        return tracing == null ? null : Tracing.traceParent(span.getSpanContext());
    }

    /** The delivery's log fields (with the trace id while traced), for a try-with-resources around log lines. */
    LogFields fields(Delivery delivery) {
        return LogFields.delivery(delivery.notificationId(), delivery.id(), delivery.room(),
                delivery.destination().key(), span.getSpanContext());
    }
}

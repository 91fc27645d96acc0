package io.herald.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Herald's traces, propagated explicitly: the trace context travels in the headers of the Kafka records
 * ({@code traceparent}, W3C trace context), written by the producer code and read by the consumer code here, never
 * through Mutiny's context propagation (off on the hot paths) nor the messaging instrumentation.
 *
 * <p>One notification is one trace: ingest's intake request, the rules-service's {@code process herald.notifications}
 * (its fan-out), the dispatcher's {@code process herald.deliveries} for each delivery with a client span per send
 * attempt. A record carries the context of the span that wrote it ({@link #inject}); Herald makes no producer spans of
 * their own (the span that writes a record lasts until the broker acknowledged it). Spans carry the notification id,
 * the room and the delivery id ({@link #NOTIFICATION_ID}, {@link #ROOM}, {@link #DELIVERY_ID}).
 *
 * <p>Off (no OTLP endpoint configured, see {@link TracingSwitch}), every method returns at once: no span, no header,
 * no allocation. On, a notification is traced or not as the first service decides (ingest's sampler for a request,
 * the caller's {@code traceparent} when it sends one), and one not traced costs nearly nothing further on: no span,
 * and no header on its records. A record without a {@code traceparent} starts a trace only where a notification
 * enters Herald ({@code mayStartTrace} of {@link #process}: a record a producer wrote to herald.notifications
 * directly); the dispatcher never starts one.
 */
@Singleton // not a client proxy: it is called for every notification
public class Tracing {

    public static final AttributeKey<String> NOTIFICATION_ID = AttributeKey.stringKey("herald.notification.id");
    public static final AttributeKey<String> ROOM = AttributeKey.stringKey("herald.room");
    public static final AttributeKey<String> DELIVERY_ID = AttributeKey.stringKey("herald.delivery.id");
    /** {@code matrix_room} or {@code push}. */
    public static final AttributeKey<String> DESTINATION_KIND = AttributeKey.stringKey("herald.destination.kind");
    /** How a step ended: {@code delivered}, {@code retry}, {@code parked}, {@code dead}, {@code rejected}, ... */
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("herald.outcome");
    /** Deliveries a notification made. */
    public static final AttributeKey<Long> FANOUT = AttributeKey.longKey("herald.fanout");
    public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    public static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    public static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> MESSAGING_DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> MESSAGING_OPERATION = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> MESSAGING_PARTITION = AttributeKey.stringKey("messaging.destination.partition.id");
    static final AttributeKey<Long> MESSAGING_OFFSET = AttributeKey.longKey("messaging.kafka.offset");

    static final String TRACEPARENT = "traceparent";

    private final boolean enabled;
    private final Tracer tracer;
    private final TextMapPropagator propagator;

    Tracing(OpenTelemetry openTelemetry, @ConfigProperty(name = TracingSwitch.DISABLED, defaultValue = "false") boolean disabled) {
        this.enabled = !disabled;
        this.tracer = openTelemetry.getTracer("io.herald");
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    }

    /** Tracing on, with the given OpenTelemetry (tests: an SDK with an in-memory exporter). */
    public static Tracing with(OpenTelemetry openTelemetry) {
        return new Tracing(openTelemetry, false);
    }

    public boolean enabled() {
        return enabled;
    }

    /** The trace context a Kafka record carries in its headers; the root context when it carries none. */
    public Context extract(Headers headers) {
        if (!enabled || headers == null) {
            return Context.root();
        }
        return propagator.extract(Context.root(), headers, HEADERS);
    }

    /** The trace context an incoming request carries ({@code traceparent}); the root context when it carries none. */
    public <C> Context extract(C carrier, TextMapGetter<C> getter) {
        if (!enabled || carrier == null) {
            return Context.root();
        }
        return propagator.extract(Context.root(), carrier, getter);
    }

    /**
     * Writes the trace context of {@code parent} into a record's {@code headers}, so that its consumer continues the
     * trace: before the record is made, since a {@code ProducerRecord} copies the headers it is given. Nothing for a
     * context that is not sampled: its records carry no header, and the services after it trace nothing of it.
     */
    public void inject(Context parent, Headers headers) {
        if (enabled && Span.fromContext(parent).getSpanContext().isSampled()) {
            propagator.inject(parent, headers, SET_HEADERS);
        }
    }

    /**
     * A {@code process <topic>} span (kind consumer) continuing the trace the record's {@code headers} carry. A record
     * without one is not traced ({@link Span#getInvalid()}), unless {@code mayStartTrace}: then the sampler decides
     * whether it starts a trace. A {@code traceparent} not sampled is followed (no span, the trace id kept for logs).
     */
    public Span process(String topic, Headers headers, int partition, long offset, boolean mayStartTrace) {
        if (!enabled || (!mayStartTrace && (headers == null || headers.lastHeader(TRACEPARENT) == null))) {
            return Span.getInvalid();
        }
        Context parent = extract(headers);
        SpanContext parentSpan = Span.fromContext(parent).getSpanContext();
        if (unsampled(parentSpan)) {
            return Span.wrap(parentSpan);
        }
        var builder = tracer.spanBuilder("process " + topic).setSpanKind(SpanKind.CONSUMER).setParent(parent)
                .setAttribute(MESSAGING_SYSTEM, "kafka").setAttribute(MESSAGING_DESTINATION, topic)
                .setAttribute(MESSAGING_OPERATION, "process");
        if (partition >= 0) {
            builder.setAttribute(MESSAGING_PARTITION, Integer.toString(partition)).setAttribute(MESSAGING_OFFSET, offset);
        }
        return builder.startSpan();
    }

    /** Any other span under {@code parent}. */
    public Span start(String name, SpanKind kind, Context parent) {
        if (!enabled) {
            return Span.getInvalid();
        }
        SpanContext parentSpan = Span.fromContext(parent).getSpanContext();
        if (unsampled(parentSpan)) {
            return Span.wrap(parentSpan);
        }
        return tracer.spanBuilder(name).setSpanKind(kind).setParent(parent).startSpan();
    }

    /**
     * A span under {@code parent}, a span that may have ended already (a parked delivery's, say); none when the parent
     * was not sampled or there is none: work that waits continues a trace, it never starts one.
     */
    public Span continueTrace(String name, SpanKind kind, SpanContext parent) {
        if (!enabled || !parent.isSampled()) {
            return Span.getInvalid();
        }
        return tracer.spanBuilder(name).setSpanKind(kind).setParent(Context.root().with(Span.wrap(parent))).startSpan();
    }

    /**
     * Whether {@code parent} is a trace that was decided against: the parent-based sampler would only make a
     * non-recording span under it, so Herald skips the span (its builder, its attributes, a new span id) and passes the
     * parent on (a caller's {@code traceparent} not sampled: its trace id stays in the log lines of this service).
     */
    static boolean unsampled(SpanContext parent) {
        return parent.isValid() && !parent.isSampled();
    }

    /** Ends the span, as failed when {@code failure} is not null. */
    public static void end(Span span, Throwable failure) {
        if (failure != null && span.isRecording()) {
            span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
        }
        span.end();
    }

    /**
     * The span's W3C {@code traceparent} ({@code 00-<trace id>-<span id>-<flags>}), to keep with work that waits (a
     * parked delivery); null when there is no span.
     */
    public static String traceParent(SpanContext span) {
        if (!span.isValid()) {
            return null;
        }
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
    }

    /** The span context a kept {@link #traceParent} names; invalid for null or garbage. */
    public SpanContext fromTraceParent(String traceParent) {
        if (!enabled || traceParent == null) {
            return SpanContext.getInvalid();
        }
        return Span.fromContext(propagator.extract(Context.root(), Map.of(TRACEPARENT, traceParent), MAP))
                .getSpanContext();
    }

    private static final TextMapGetter<Headers> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers carrier) {
            List<String> keys = new ArrayList<>();
            for (Header h : carrier) {
                keys.add(h.key());
            }
            return keys;
        }

        @Override
        public String get(Headers carrier, String key) {
            Header h = carrier == null ? null : carrier.lastHeader(key);
            return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    };

    private static final TextMapSetter<Headers> SET_HEADERS = (carrier, key, value) -> {
        carrier.remove(key);
        carrier.add(key, value.getBytes(StandardCharsets.UTF_8));
    };

    private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier.get(key);
        }
    };
}

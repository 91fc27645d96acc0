package io.herald.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.MDC;
import org.junit.jupiter.api.Test;

class TracingTest {

    private final List<SpanData> exported = new CopyOnWriteArrayList<>();
    private final Tracing tracing = Tracing.with(OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> spans) {
                    exported.addAll(spans);
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }
            })).build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build());

    @Test
    void theTraceCrossesKafkaInTheRecordHeaders() {
        Span request = tracing.start("POST /v1/rooms/{room}/notifications", SpanKind.SERVER, Context.root());
        RecordHeaders headers = new RecordHeaders();
        tracing.inject(Context.root().with(request), headers);
        request.end();
        assertThat(new String(headers.lastHeader("traceparent").value()))
                .isEqualTo(Tracing.traceParent(request.getSpanContext()));

        Span process = tracing.process("herald.notifications", headers, 3, 42, false);
        process.end();

        SpanData processed = find("process herald.notifications");
        assertThat(processed.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
        assertThat(processed.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        assertThat(processed.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(processed.getAttributes().asMap()).containsEntry(Tracing.MESSAGING_PARTITION, "3")
                .containsEntry(Tracing.MESSAGING_OFFSET, 42L);
        assertThat(exported).as("no producer span: the record carries its writer's context").hasSize(2);
    }

    @Test
    void aNotificationNotSampledCarriesNoHeaderAndMakesNoSpans() {
        // what the first service's sampler decided against: a valid trace, not sampled
        SpanContext unsampled = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                TraceFlags.getDefault(), TraceState.getDefault());
        RecordHeaders headers = new RecordHeaders();
        tracing.inject(Context.root().with(Span.wrap(unsampled)), headers);
        assertThat(headers.toArray()).as("no header for a notification not traced").isEmpty();

        Span process = tracing.process("herald.deliveries", headers, 0, 1, false);
        assertThat(process).as("no trace context, and not allowed to start one").isSameAs(Span.getInvalid());
        assertThat(tracing.continueTrace("drain parked delivery", SpanKind.INTERNAL, unsampled).isRecording()).isFalse();
        assertThat(tracing.continueTrace("drain parked delivery", SpanKind.INTERNAL, SpanContext.getInvalid())
                .isRecording()).isFalse();
        assertThat(exported).as("no span exported for a trace not sampled").isEmpty();
    }

    @Test
    void aCallersTraceParentNotSampledIsFollowed() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00".getBytes());
        Span process = tracing.process("herald.notifications", headers, 0, 1, true);
        assertThat(process.isRecording()).isFalse();
        process.end();
        assertThat(process.getSpanContext().getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(exported).isEmpty();
        try (LogFields fields = LogFields.notification("n1", "ops", process.getSpanContext())) {
            assertThat(MDC.get(LogFields.TRACE_ID)).as("no trace id that leads to no trace").isNull();
        }
    }

    @Test
    void aRecordWithoutContextStartsATraceOnlyWhereItMay() {
        Span started = tracing.process("herald.notifications", new RecordHeaders(), 0, 1, true);
        assertThat(started.isRecording()).as("the test's sampler samples everything").isTrue();
        started.end();
        assertThat(find("process herald.notifications").getParentSpanContext().isValid()).isFalse();
        assertThat(tracing.process("herald.deliveries", new RecordHeaders(), 0, 1, false)).isSameAs(Span.getInvalid());
    }

    @Test
    void aKeptTraceParentContinuesTheTraceLater() {
        Span process = tracing.process("herald.deliveries", new RecordHeaders(), -1, -1, true);
        String kept = Tracing.traceParent(process.getSpanContext());
        process.end();
        assertThat(kept).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");

        Span later = tracing.continueTrace("drain parked delivery", SpanKind.INTERNAL, tracing.fromTraceParent(kept));
        later.end();
        assertThat(find("drain parked delivery").getParentSpanId()).isEqualTo(process.getSpanContext().getSpanId());
        assertThat(tracing.fromTraceParent("garbage").isValid()).isFalse();
        assertThat(tracing.fromTraceParent(null).isValid()).isFalse();
    }

    @Test
    void offItDoesNothing() {
        Tracing off = new Tracing(OpenTelemetry.noop(), true);
        RecordHeaders headers = new RecordHeaders();
        Span request = tracing.start("POST /v1/rooms/{room}/notifications", SpanKind.SERVER, Context.root());
        off.inject(Context.root().with(request), headers);
        request.end();
        assertThat(headers.toArray()).isEmpty();
        assertThat(off.process("herald.notifications", headers, 0, 0, true)).isSameAs(Span.getInvalid());
        assertThat(off.start("x", SpanKind.INTERNAL, Context.root())).isSameAs(Span.getInvalid());
        assertThat(Tracing.traceParent(Span.getInvalid().getSpanContext())).isNull();
    }

    @Test
    void logFieldsAreSetAroundTheLinesAndRestored() {
        MDC.put(LogFields.ROOM, "outer");
        Span span = tracing.start("x", SpanKind.INTERNAL, Context.root());
        try (LogFields fields = LogFields.delivery("n1", "d1", "ops", "room:bot:!a:b", span.getSpanContext())) {
            assertThat(MDC.get(LogFields.NOTIFICATION_ID)).isEqualTo("n1");
            assertThat(MDC.get(LogFields.DELIVERY_ID)).isEqualTo("d1");
            assertThat(MDC.get(LogFields.ROOM)).isEqualTo("ops");
            assertThat(MDC.get(LogFields.DESTINATION)).isEqualTo("room:bot:!a:b");
            assertThat(MDC.get(LogFields.TRACE_ID)).isEqualTo(span.getSpanContext().getTraceId());
        }
        assertThat(MDC.get(LogFields.ROOM)).isEqualTo("outer");
        assertThat(MDC.get(LogFields.NOTIFICATION_ID)).isNull();
        assertThat(MDC.get(LogFields.TRACE_ID)).isNull();
        MDC.remove(LogFields.ROOM);
    }

    @Test
    void tracingIsOffUnlessAnEndpointIsConfigured() {
        assertThat(sdkDisabled(Map.of())).isTrue();
        assertThat(sdkDisabled(Map.of(TracingSwitch.ENDPOINT, "http://collector:4317"))).isFalse();
        assertThat(sdkDisabled(Map.of(TracingSwitch.TRACES_ENDPOINT, "http://collector:4318/v1/traces"))).isFalse();
        assertThat(sdkDisabled(Map.of(TracingSwitch.ENDPOINT, " "))).isTrue();
        // an explicit setting wins
        assertThat(sdkDisabled(Map.of(TracingSwitch.ENDPOINT, "http://collector:4317", TracingSwitch.DISABLED, "true")))
                .isTrue();
    }

    private static boolean sdkDisabled(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "application", 250))
                .withSources(new TracingSwitch()).build();
        return config.getValue(TracingSwitch.DISABLED, Boolean.class);
    }

    private SpanData find(String name) {
        return exported.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
    }
}

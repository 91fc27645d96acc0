package io.herald.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
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
        Span publish = tracing.publish("herald.notifications", Context.root().with(request), headers);
        publish.end();
        request.end();
        assertThat(headers.lastHeader("traceparent")).isNotNull();

        Span process = tracing.process("herald.notifications", headers, 3, 42);
        process.end();

        SpanData published = find("publish herald.notifications");
        SpanData processed = find("process herald.notifications");
        assertThat(published.getParentSpanId()).isEqualTo(find("POST /v1/rooms/{room}/notifications").getSpanId());
        assertThat(processed.getTraceId()).isEqualTo(published.getTraceId());
        assertThat(processed.getParentSpanId()).isEqualTo(published.getSpanId());
        assertThat(processed.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(processed.getAttributes().asMap()).containsEntry(Tracing.MESSAGING_PARTITION, "3")
                .containsEntry(Tracing.MESSAGING_OFFSET, 42L);
    }

    @Test
    void aNotificationNotSampledMakesNoSpansButCarriesTheDecisionOn() {
        // what the first service's sampler decided against: a valid trace, not sampled
        io.opentelemetry.api.trace.SpanContext unsampled = io.opentelemetry.api.trace.SpanContext.create(
                "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                io.opentelemetry.api.trace.TraceFlags.getDefault(), io.opentelemetry.api.trace.TraceState.getDefault());
        RecordHeaders headers = new RecordHeaders();
        Span publish = tracing.publish("herald.notifications", Context.root().with(Span.wrap(unsampled)), headers);
        publish.setAttribute(Tracing.ROOM, "ops");
        publish.end();
        assertThat(new String(headers.lastHeader("traceparent").value()))
                .isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");

        Span process = tracing.process("herald.notifications", headers, 0, 1);
        Span client = tracing.start("PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}", SpanKind.CLIENT,
                Context.root().with(process));
        client.end();
        process.end();
        assertThat(process.getSpanContext().getTraceId()).as("log lines still carry the trace id")
                .isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(process.isRecording()).isFalse();
        assertThat(exported).as("no span exported for a trace not sampled").isEmpty();
    }

    @Test
    void aKeptTraceParentContinuesTheTraceLater() {
        Span process = tracing.process("herald.deliveries", new RecordHeaders(), -1, -1);
        String kept = Tracing.traceParent(process.getSpanContext());
        process.end();
        assertThat(kept).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");

        Span later = tracing.start("drain parked delivery", SpanKind.INTERNAL, tracing.fromTraceParent(kept));
        later.end();
        assertThat(find("drain parked delivery").getParentSpanId()).isEqualTo(process.getSpanContext().getSpanId());
        assertThat(tracing.fromTraceParent("garbage").isValid()).isFalse();
        assertThat(tracing.fromTraceParent(null).isValid()).isFalse();
    }

    @Test
    void offItDoesNothing() {
        Tracing off = new Tracing(OpenTelemetry.noop(), true);
        RecordHeaders headers = new RecordHeaders();
        Span span = off.publish("herald.notifications", Context.root(), headers);
        assertThat(span).isSameAs(Span.getInvalid());
        assertThat(headers.toArray()).isEmpty();
        assertThat(off.process("herald.notifications", headers, 0, 0)).isSameAs(Span.getInvalid());
        assertThat(Tracing.traceParent(span.getSpanContext())).isNull();
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

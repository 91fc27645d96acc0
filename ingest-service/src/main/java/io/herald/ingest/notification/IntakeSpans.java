package io.herald.ingest.notification;

import io.herald.telemetry.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The intake request's span (kind server, named by its route: {@code POST /v1/rooms/{room}/notifications}), made here
 * rather than by Quarkus' HTTP instrumentation, which ingest turns off ({@code quarkus.otel.instrument.vertx-http}):
 * that instrumentation gathers a dozen attributes for every request before the sampler decides, so the nine in ten
 * notifications that are not traced paid for it (issue #18). Here the sampler decides first (a caller's
 * {@code traceparent} is followed, else {@code quarkus.otel.traces.sampler.arg}); a request not sampled gets a bare
 * context that only carries the decision on to the Kafka record, a sampled one its method, path and status.
 *
 * <p>The span is made current for the request (Quarkus keeps the OpenTelemetry context in the request's Vert.x
 * context, also on worker threads), so {@link Tracing#current()} finds it wherever the request is handled. Only the
 * intake API ({@code /v1/rooms/…}) is traced; the admin API and the console are not on a notification's path.
 */
@ApplicationScoped
public class IntakeSpans {

    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");

    private final Tracing tracing;

    IntakeSpans(Tracing tracing) {
        this.tracing = tracing;
    }

    void register(@Observes Filters filters) {
        if (tracing.enabled()) {
            filters.register(this::trace, 110); // before IntakeMetrics (100): its count is then inside the span
        }
    }

    private void trace(RoutingContext rc) {
        String path = rc.normalizedPath();
        if (!path.startsWith(IntakeMetrics.PREFIX)) {
            rc.next();
            return;
        }
        String method = rc.request().method().name();
        Span span = tracing.start(method + " " + route(path), SpanKind.SERVER,
                tracing.extract(rc.request().headers(), HEADERS));
        if (span.isRecording()) {
            span.setAttribute(Tracing.HTTP_METHOD, method);
            span.setAttribute(URL_PATH, path);
        }
        Scope scope = Context.current().with(span).makeCurrent();
        rc.addEndHandler(ended -> {
            if (span.isRecording()) {
                int status = rc.response().getStatusCode();
                span.setAttribute(Tracing.HTTP_STATUS, (long) status);
                if (status >= 500) {
                    span.setStatus(StatusCode.ERROR);
                }
            }
            span.end();
            scope.close();
        });
        rc.next();
    }

    /** {@code /v1/rooms/ops/webhooks/grafana} → {@code /v1/rooms/{room}/webhooks/{name}}: a name of few values. */
    static String route(String path) {
        String rest = path.substring(IntakeMetrics.PREFIX.length());
        int slash = rest.indexOf('/');
        String what = slash < 0 ? "" : rest.substring(slash + 1);
        if (what.startsWith("webhooks/") && !what.equals("webhooks/alertmanager")) {
            what = "webhooks/{name}";
        } else if (!what.isEmpty() && !what.equals("notifications") && !what.equals("events") && !what.equals("send")
                && !what.equals("webhooks/alertmanager")) {
            what = what.startsWith("queue") ? what : "*";
        }
        return IntakeMetrics.PREFIX + "{room}" + (what.isEmpty() ? "" : "/" + what);
    }

    private static final TextMapGetter<MultiMap> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(MultiMap carrier) {
            return carrier.names();
        }

        @Override
        public String get(MultiMap carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };
}

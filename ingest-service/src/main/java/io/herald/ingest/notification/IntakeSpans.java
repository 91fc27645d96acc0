package io.herald.ingest.notification;

import io.herald.telemetry.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * The intake request's span (kind server, named by its route: {@code POST /v1/rooms/{room}/notifications}), made here
 * rather than by Quarkus' HTTP instrumentation, which Herald turns off ({@code quarkus.otel.instrument.vertx-http} in
 * herald-telemetry's defaults): that instrumentation gathers a dozen attributes for every request before the sampler
 * decides, so the nine in ten notifications that are not traced paid for it (issue #18). Here the sampler decides
 * first (a caller's {@code traceparent} is followed, else {@code quarkus.otel.traces.sampler.arg}); a request not
 * sampled gets nothing more (its Kafka records carry no trace context), a sampled one its method, path and status.
 *
 * <p>The span's context is kept in the request's Vert.x context (a context local, which the request's worker threads
 * share), where {@link #current()} finds it, and is not made current: Quarkus' context storage would copy the span's
 * ids into the log MDC and clear them again for every request, traced or not: about half of the tracing work in a
 * profile of ingest at 10% sampling (Herald's log lines carry the trace id through {@code LogFields} instead). Only the
 * intake API ({@code /v1/rooms/…}) is traced; the admin API and the console are not on a notification's path.
 */
@Singleton // not a client proxy: it is called for every notification
public class IntakeSpans {

    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    private static final String LOCAL = "herald.intake.trace";
    private static final String UNNAMED = "intake";

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
        if (!path.startsWith(IntakeMetrics.PREFIX) || !VertxContext.isOnDuplicatedContext()) {
            rc.next();
            return;
        }
        // Named once the sampler said yes: nine requests in ten are not traced and need no name.
        Span span = tracing.start(UNNAMED, SpanKind.SERVER, tracing.extract(rc.request().headers(), HEADERS));
        if (span.isRecording()) { // a request not sampled keeps nothing: its records carry no trace context
            ContextLocals.put(LOCAL, Context.root().with(span));
            String method = rc.request().method().name();
            span.updateName(method + " " + route(path));
            span.setAttribute(Tracing.HTTP_METHOD, method);
            span.setAttribute(URL_PATH, path);
            rc.addEndHandler(ended -> {
                int status = rc.response().getStatusCode();
                span.setAttribute(Tracing.HTTP_STATUS, (long) status);
                if (status >= 500) {
                    span.setStatus(StatusCode.ERROR);
                }
                span.end();
            });
        }
        rc.next();
    }

    /**
     * The request's trace context: its span when it is traced; the root context when it is not (tracing off, not
     * sampled, not an intake request).
     */
    public Context current() {
        if (!tracing.enabled() || !VertxContext.isOnDuplicatedContext()) {
            return Context.root();
        }
        return ContextLocals.get(LOCAL, Context.root());
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

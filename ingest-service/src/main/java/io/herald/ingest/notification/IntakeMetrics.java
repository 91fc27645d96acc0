package io.herald.ingest.notification;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code herald_intake_requests_total{endpoint,outcome,reason}}: every request to the intake API
 * ({@code /v1/rooms/…}), accepted or refused, by why, read from the status it was answered with, so refusals before a
 * resource runs (an unknown key, a body over the limit) count too. Labels are closed sets: {@code endpoint} is
 * {@code notifications}, {@code events}, {@code send} (the one-line intake), {@code alertmanager}, {@code webhook} or
 * {@code other} (the room's queue); {@code reason} is
 * {@code accepted} or one of {@link #reason}'s.
 */
@ApplicationScoped
public class IntakeMetrics {

    static final String PREFIX = "/v1/rooms/";

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    IntakeMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void register(@Observes Filters filters) {
        filters.register(this::count, 100);
    }

    private void count(RoutingContext rc) {
        String path = rc.normalizedPath();
        if (path.startsWith(PREFIX)) {
            rc.addHeadersEndHandler(ignored -> counted(endpoint(path), rc.response().getStatusCode()));
        }
        rc.next();
    }

    void counted(String endpoint, int status) {
        String reason = reason(status);
        counters.computeIfAbsent(endpoint + "|" + reason, k -> Counter.builder("herald.intake.requests")
                .tags("endpoint", endpoint, "outcome", status < 300 ? "accepted" : "refused", "reason", reason)
                .description("intake requests, accepted or refused, by reason").register(registry)).increment();
    }

    /** {@code /v1/rooms/{room}/<what>[/<name>]} → the endpoint's label. */
    static String endpoint(String path) {
        String rest = path.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        String what = slash < 0 ? "" : rest.substring(slash + 1);
        if (what.equals("notifications") || what.equals("events") || what.equals("send")) {
            return what;
        }
        if (what.equals("webhooks/alertmanager")) {
            return "alertmanager";
        }
        return what.startsWith("webhooks/") ? "webhook" : "other";
    }

    static String reason(int status) {
        return switch (status) {
            case 200, 201, 202, 204 -> "accepted";
            case 400 -> "invalid";
            case 401 -> "unauthenticated";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 413 -> "too_large";
            case 415 -> "unsupported_media_type";
            case 422 -> "idempotency_conflict";
            case 429 -> "rate_limited";
            case 503 -> "unavailable";
            default -> status < 300 ? "accepted" : status < 500 ? "client_error" : "server_error";
        };
    }
}

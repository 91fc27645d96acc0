package io.herald.telemetry;

import io.prometheus.client.exemplars.ExemplarSampler;
import io.quarkus.micrometer.runtime.export.exemplars.NoopOpenTelemetryExemplarContextUnwrapper;
import io.quarkus.micrometer.runtime.export.exemplars.OpenTelemetryContextUnwrapper;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * No exemplars on Herald's Prometheus metrics. With OpenTelemetry present, Quarkus gives the Prometheus registry an
 * exemplar sampler that asks for the current span on every counter increment and histogram sample, and records the
 * HTTP server metrics inside each request's OpenTelemetry context. Herald never makes its spans current (their
 * context travels explicitly, see {@link Tracing}), so neither would ever find a span: they only cost every metric
 * update a context lookup (0.3–0.7% of ingest's and the rules-service's CPU in a profile).
 */
@Singleton
public class NoExemplars {

    @Produces
    @Alternative
    @Priority(1)
    Optional<ExemplarSampler> exemplarSampler() {
        return Optional.empty();
    }

    @Produces
    @Singleton
    @Alternative
    @Priority(1)
    OpenTelemetryContextUnwrapper contextUnwrapper() {
        return new NoopOpenTelemetryExemplarContextUnwrapper();
    }
}

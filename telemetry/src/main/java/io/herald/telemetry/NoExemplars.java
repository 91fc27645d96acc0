package io.herald.telemetry;

import io.prometheus.client.exemplars.ExemplarSampler;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * No exemplars on Herald's Prometheus metrics. With OpenTelemetry present, Quarkus gives the Prometheus registry an
 * exemplar sampler that asks for the current span on every counter increment and histogram sample; Herald never makes
 * its spans current (their context travels explicitly, see {@link Tracing}), so the sampler would never find one and
 * only cost every metric update a context lookup (0.5–0.7% of ingest's and the rules-service's CPU in a profile).
 */
@Singleton
public class NoExemplars {

    @Produces
    @Alternative
    @Priority(1)
    Optional<ExemplarSampler> exemplarSampler() {
        return Optional.empty();
    }
}

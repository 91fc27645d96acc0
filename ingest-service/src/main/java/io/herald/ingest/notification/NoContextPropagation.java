package io.herald.ingest.notification;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Turns off MicroProfile context propagation in Mutiny for ingest, as the rules-service and the dispatcher do.
 *
 * <p>Every Mutiny operator of an intake request otherwise captures and restores the CDI request context, the
 * transaction and the OpenTelemetry context around each callback: JFR put it at 11% of ingest's CPU in the pipeline
 * benchmark (12% with tracing on). Nothing on the intake path needs it after the first asynchronous step: the caller's
 * identity and key are read before, the request's trace context is taken at the start ({@code Intake}), the
 * idempotency store runs its own transactions on a worker, and the {@code 202} is built without the request
 * ({@link Accepted#response}).
 */
@ApplicationScoped
class NoContextPropagation {

    void clear(@Observes @Priority(0) StartupEvent event) {
        Infrastructure.clearInterceptors();
    }
}

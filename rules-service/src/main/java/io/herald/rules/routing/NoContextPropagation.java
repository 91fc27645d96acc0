package io.herald.rules.routing;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Turns off MicroProfile context propagation in Mutiny for this service, before the Kafka channels are assembled
 * (the dispatcher does the same, see its {@code NoContextPropagation}).
 *
 * <p>Every Mutiny operator otherwise wraps its callback to capture and restore the CDI request context and the
 * transaction around each call; JFR showed it among the top costs per notification. Nothing here needs it: planning
 * reads caches and loads misses in transactions of their own ({@code @Transactional} store methods, plain JDBC), and
 * the REST resources are not Mutiny pipelines.
 */
@ApplicationScoped
class NoContextPropagation {

    void clear(@Observes @Priority(0) StartupEvent event) {
        Infrastructure.clearInterceptors();
    }
}

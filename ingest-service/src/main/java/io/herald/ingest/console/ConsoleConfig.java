package io.herald.ingest.console;

import io.herald.console.ConsoleSettings;
import io.herald.ingest.IngestConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import java.util.Optional;

/** The console's settings from ingest's configuration ({@code herald.ingest.console.*}, the services' URLs). */
@ApplicationScoped
class ConsoleConfig {

    @Produces
    @ApplicationScoped
    ConsoleSettings settings(IngestConfig config) {
        return new ConsoleSettings() {
            @Override
            public Optional<String> ingestUrl() {
                return config.console().ingestUrl();
            }

            @Override
            public String rulesUrl() {
                return config.rules().url();
            }

            @Override
            public String dispatcherUrl() {
                return config.dispatcher().url();
            }

            @Override
            public Optional<String> cookieKey() {
                return config.console().cookieKey();
            }

            @Override
            public Duration sessionTimeout() {
                return config.console().sessionTimeout();
            }

            @Override
            public Duration timeout() {
                return config.dispatcher().timeout();
            }

            @Override
            public Optional<String> traceUrl() {
                return config.console().traceUrl().filter(url -> !url.isBlank());
            }
        };
    }
}

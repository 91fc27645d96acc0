package io.herald.telemetry;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Tracing is on exactly when an OTLP endpoint is configured ({@code quarkus.otel.exporter.otlp.endpoint} or
 * {@code quarkus.otel.exporter.otlp.traces.endpoint}): without one the OpenTelemetry SDK is off
 * ({@code quarkus.otel.sdk.disabled=true}), every span is a no-op and Herald skips its own tracing work, instead of
 * exporting to {@code localhost:4317}, where nothing listens. An explicit {@code quarkus.otel.sdk.disabled} in
 * application.properties or the environment still wins (this source's ordinal, 110, is below theirs).
 */
public class TracingSwitch implements ConfigSourceFactory {

    static final String ENDPOINT = "quarkus.otel.exporter.otlp.endpoint";
    static final String TRACES_ENDPOINT = "quarkus.otel.exporter.otlp.traces.endpoint";
    static final String DISABLED = "quarkus.otel.sdk.disabled";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        boolean configured = configured(context.getValue(ENDPOINT)) || configured(context.getValue(TRACES_ENDPOINT));
        return List.of(new PropertiesConfigSource(Map.of(DISABLED, Boolean.toString(!configured)),
                "herald-tracing-switch", 110));
    }

    /** Set by someone: not blank, and not the extension's default value. */
    private static boolean configured(ConfigValue value) {
        return value != null && value.getValue() != null && !value.getValue().isBlank()
                && (value.getConfigSourceName() == null || !value.getConfigSourceName().contains("DefaultValues"));
    }
}

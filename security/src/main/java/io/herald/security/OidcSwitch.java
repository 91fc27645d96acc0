package io.herald.security;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * OIDC is on exactly when {@code quarkus.oidc.auth-server-url} is set: without it the OIDC tenant is disabled (Quarkus
 * would otherwise refuse to start), and the services take service tokens (and API keys, Matrix tokens) only. An
 * explicit {@code quarkus.oidc.tenant-enabled} in application.properties or the environment still wins (this source's
 * ordinal, 110, is below theirs).
 */
public class OidcSwitch implements ConfigSourceFactory {

    static final String URL = "quarkus.oidc.auth-server-url";
    static final String ENABLED = "quarkus.oidc.tenant-enabled";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue url = context.getValue(URL);
        boolean configured = url != null && url.getValue() != null && !url.getValue().isBlank();
        return List.of(new PropertiesConfigSource(Map.of(ENABLED, Boolean.toString(configured)), "herald-oidc-switch",
                110));
    }
}

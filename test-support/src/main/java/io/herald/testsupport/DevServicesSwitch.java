package io.herald.testsupport;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Quarkus starts Dev Services before any test resource runs, so a test resource alone cannot keep them from
 * looking for Docker. This config source switches them off when {@link Infrastructure} chose embedded mode.
 * Its ordinal is below system properties and environment variables, so either can still override it.
 */
public class DevServicesSwitch implements ConfigSource {

    private static final String KEY = "quarkus.devservices.enabled";

    @Override
    public Set<String> getPropertyNames() {
        return Infrastructure.embedded() ? Set.of(KEY) : Set.of();
    }

    @Override
    public String getValue(String propertyName) {
        return KEY.equals(propertyName) && Infrastructure.embedded() ? "false" : null;
    }

    @Override
    public Map<String, String> getProperties() {
        return Infrastructure.embedded() ? Map.of(KEY, "false") : Map.of();
    }

    @Override
    public int getOrdinal() {
        return 260;
    }

    @Override
    public String getName() {
        return "herald-test-infrastructure";
    }
}

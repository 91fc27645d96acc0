package io.herald.testsupport;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The service tokens every service's tests authenticate with. {@link Config} configures their hashes
 * ({@code herald.auth.tokens.test-*}) in each service under test, as an operator would, so a test only sends the
 * token: {@code given().header(TestTokens.header(TestTokens.ADMIN))…} or {@code .auth().oauth2(TestTokens.ADMIN)}.
 */
public final class TestTokens {

    /** Role admin, every tenant. */
    public static final String ADMIN = "hrldt_test-admin";
    /** Role operator, every tenant. */
    public static final String OPERATOR = "hrldt_test-operator";
    /** Role admin, limited to tenant {@link #TENANT}. */
    public static final String TENANT_ADMIN = "hrldt_test-tenant-admin";
    /** Role operator, limited to tenant {@link #TENANT}. */
    public static final String TENANT_OPERATOR = "hrldt_test-tenant-operator";
    /** A valid token whose only role ({@code guest}) no endpoint allows: the "wrong role" of the tests. */
    public static final String GUEST = "hrldt_test-guest";

    public static final String TENANT = "acme";

    private TestTokens() {
    }

    /** {@code Bearer <token>}. */
    public static String bearer(String token) {
        return "Bearer " + token;
    }

    /** The hex SHA-256 of a token, as {@code herald.auth.tokens.<name>.sha256} takes it. */
    public static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The configuration of the tokens ({@code herald.auth.tokens.*}), e.g. for a service started as a process. */
    public static Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        token(p, "test-admin", ADMIN, "admin", null);
        token(p, "test-operator", OPERATOR, "operator", null);
        token(p, "test-tenant-admin", TENANT_ADMIN, "admin", TENANT);
        token(p, "test-tenant-operator", TENANT_OPERATOR, "operator", TENANT);
        token(p, "test-guest", GUEST, "guest", null);
        return p;
    }

    private static void token(Map<String, String> p, String name, String token, String roles, String tenant) {
        p.put("herald.auth.tokens." + name + ".sha256", sha256(token));
        p.put("herald.auth.tokens." + name + ".roles", roles);
        if (tenant != null) {
            p.put("herald.auth.tokens." + name + ".tenant", tenant);
        }
    }

    /**
     * Puts the test tokens into the configuration of every Quarkus test of a service (registered in
     * {@code META-INF/services}); below application.properties, so a test profile can still change them.
     */
    public static class Config implements ConfigSource {
        private static final Map<String, String> PROPERTIES = properties();

        @Override
        public Set<String> getPropertyNames() {
            return PROPERTIES.keySet();
        }

        @Override
        public String getValue(String propertyName) {
            return PROPERTIES.get(propertyName);
        }

        @Override
        public Map<String, String> getProperties() {
            return PROPERTIES;
        }

        @Override
        public int getOrdinal() {
            return 240;
        }

        @Override
        public String getName() {
            return "herald-test-tokens";
        }
    }
}

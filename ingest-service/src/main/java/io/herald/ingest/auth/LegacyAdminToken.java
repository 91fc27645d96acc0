package io.herald.ingest.auth;

import io.herald.ingest.IngestConfig;
import io.herald.security.Roles;
import io.herald.security.ServiceToken;
import io.herald.security.ServiceTokenSource;
import io.herald.security.Sha256;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Deprecated: {@code herald.ingest.admin-token} (HERALD_INGEST_ADMIN_TOKEN) still works, as a service token named
 * {@code ingest-admin-token} with the admin role on ingest only. Configure {@code herald.auth.tokens.<name>.*} instead.
 */
@ApplicationScoped
public class LegacyAdminToken implements ServiceTokenSource {

    private static final Logger LOG = Logger.getLogger(LegacyAdminToken.class);

    private final Optional<String> token;

    LegacyAdminToken(IngestConfig config) {
        this.token = config.adminToken().filter(t -> !t.isBlank());
    }

    @Override
    public List<ServiceToken> serviceTokens() {
        if (token.isEmpty()) {
            return List.of();
        }
        LOG.warn("herald.ingest.admin-token (HERALD_INGEST_ADMIN_TOKEN) is deprecated: configure a service token"
                + " with the admin role instead (herald.auth.tokens.<name>.sha256 and .roles=admin)");
        return List.of(new ServiceToken("ingest-admin-token", Sha256.digest(token.get()), Set.of(Roles.ADMIN),
                Optional.empty()));
    }
}

package io.herald.security;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A token without the hrldt_ prefix from a {@link ServiceTokenSource}, like ingest's deprecated admin token. */
@ApplicationScoped
public class LegacyToken implements ServiceTokenSource {
    static final String TOKEN = "legacy-admin-token";

    @Override
    public List<ServiceToken> serviceTokens() {
        return List.of(new ServiceToken("legacy", Sha256.digest(TOKEN), Set.of(Roles.ADMIN), Optional.empty()));
    }
}

package io.herald.security;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The configured service tokens ({@code herald.auth.tokens.<name>.*} and any {@link ServiceTokenSource}). A bearer is
 * hashed once and compared with every configured hash in constant time, so neither the match nor its position shows
 * in the timing.
 */
@ApplicationScoped
@Startup // a configuration mistake fails the start, not the first request
public class ServiceTokens {

    private static final Logger LOG = Logger.getLogger(ServiceTokens.class);
    private static final String NAME = "[A-Za-z0-9._-]{1,64}";

    private final List<ServiceToken> tokens;

    ServiceTokens(AuthConfig config, Instance<ServiceTokenSource> sources) {
        List<ServiceToken> all = new ArrayList<>();
        config.tokens().forEach((name, token) -> all.add(fromConfig(name, token)));
        sources.forEach(source -> all.addAll(source.serviceTokens()));
        this.tokens = List.copyOf(all);
        if (tokens.isEmpty()) {
            LOG.info("no service tokens configured (herald.auth.tokens.<name>.sha256)");
        } else {
            tokens.forEach(t -> LOG.infof("service token %s", t));
        }
    }

    static ServiceToken fromConfig(String name, AuthConfig.Token token) {
        String where = "herald.auth.tokens." + name;
        if (!name.matches(NAME)) {
            throw new IllegalArgumentException(where + ": the name must be 1-64 characters of A-Z a-z 0-9 . _ -");
        }
        String hex = token.sha256().trim().toLowerCase(java.util.Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException(where + ".sha256 must be the 64 hex digits of the token's SHA-256"
                    + " (printf %s \"$TOKEN\" | sha256sum), not the token");
        }
        Set<String> roles = new LinkedHashSet<>();
        token.roles().stream().map(String::trim).filter(r -> !r.isEmpty()).forEach(roles::add);
        if (roles.isEmpty()) {
            throw new IllegalArgumentException(where + ".roles must name at least one role (admin, operator)");
        }
        return new ServiceToken(name, HexFormat.of().parseHex(hex), roles,
                token.tenant().map(String::trim).filter(t -> !t.isEmpty()));
    }

    /** The service token this bearer is, if any. */
    public Optional<ServiceToken> match(String bearer) {
        byte[] digest = Sha256.digest(bearer);
        ServiceToken found = null;
        for (ServiceToken token : tokens) { // no early exit: every token is compared
            if (MessageDigest.isEqual(token.sha256(), digest)) {
                found = token;
            }
        }
        return Optional.ofNullable(found);
    }

    public List<ServiceToken> all() {
        return tokens;
    }
}

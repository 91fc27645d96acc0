package io.herald.security;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * A static service token as the service knows it: a name (for logs), the SHA-256 of the token, its roles and the
 * tenant it is limited to (none: every tenant).
 */
public record ServiceToken(String name, byte[] sha256, Set<String> roles, Optional<String> tenant) {

    public ServiceToken {
        if (sha256.length != 32) {
            throw new IllegalArgumentException("service token " + name + ": sha256 must be 32 bytes");
        }
        sha256 = sha256.clone();
        roles = Set.copyOf(roles);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServiceToken t && name.equals(t.name) && Arrays.equals(sha256, t.sha256)
                && roles.equals(t.roles) && tenant.equals(t.tenant);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "ServiceToken[" + name + ", roles=" + roles + tenant.map(t -> ", tenant=" + t).orElse("") + "]";
    }
}

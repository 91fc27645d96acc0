package io.herald.dispatcher.secret;

import io.smallrye.config.ConfigMapping;
import java.util.Map;
import java.util.Optional;

/**
 * Everything under {@code herald.secrets.*}: the key ring that encrypts secrets at rest (README.md, "Configuration";
 * docs/deploy.md, "Secrets: the key ring").
 */
@ConfigMapping(prefix = "herald.secrets")
public interface SecretsConfig {

    /** The keys by id: base64 of 32 random bytes each ({@code openssl rand -base64 32}). */
    Map<String, String> keys();

    /** The id of the key new secrets are sealed with; may be left out when the ring holds one key. */
    Optional<String> primary();

    /** The one key of earlier versions: the ring's key {@value SecretBox#DEFAULT_KEY}. */
    Optional<String> key();
}

package io.herald.dispatcher.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SecretBoxTest {

    static final String OLD = "b2xkLWtleS1vbGQta2V5LW9sZC1rZXktb2xkLWtleS0=";
    static final String NEW = "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleS0=";

    @Test
    void newValuesNameThePrimaryKeyAndOldValuesAreReadWithTheirs() {
        SecretBox before = new SecretBox(Map.of("old", OLD), Optional.empty());
        String sealedBefore = before.encrypt("syt_token", "bot");
        SecretBox after = new SecretBox(Map.of("old", OLD, "new", NEW), Optional.of("new"));

        assertThat(sealedBefore).startsWith("v2:old:").doesNotContain("syt_token");
        assertThat(after.decrypt(sealedBefore, "bot")).isEqualTo("syt_token");
        assertThat(after.encrypt("syt_token", "bot")).startsWith("v2:new:");
        assertThat(after.sealedWithPrimary(sealedBefore)).isFalse();
        assertThat(SecretBox.keyIdOf(after.encrypt("x", "bot"))).isEqualTo("new");
    }

    @Test
    void valuesOfTheSingleKeyFormatAreReadWithTheKeyDefault() {
        String v1 = LegacySecrets.sealV1(OLD, "syt_legacy", "bot");
        SecretBox ring = new SecretBox(Map.of("default", OLD, "new", NEW), Optional.of("new"));

        assertThat(SecretBox.keyIdOf(v1)).isEqualTo("default");
        assertThat(ring.decrypt(v1, "bot")).isEqualTo("syt_legacy");
    }

    @Test
    void aMissingKeyIsNamedAndAWrongOneIsTold() {
        String sealed = new SecretBox(Map.of("old", OLD), Optional.empty()).encrypt("t", "bot");
        SecretBox withoutOld = new SecretBox(Map.of("new", NEW), Optional.empty());
        SecretBox otherOld = new SecretBox(Map.of("old", NEW), Optional.empty());

        assertThatThrownBy(() -> withoutOld.decrypt(sealed, "bot"))
                .isInstanceOfSatisfying(SecretBox.UnreadableSecretException.class,
                        e -> assertThat(e.missingKey()).isEqualTo("old"))
                .hasMessageContaining("sealed with the key 'old', which is not configured (herald.secrets.keys.old)")
                .hasMessageContaining("Losing a key");
        assertThatThrownBy(() -> otherOld.decrypt(sealed, "bot")).hasMessageContaining("cannot decrypt")
                .hasMessageContaining("herald.secrets.keys.old changed?");
        assertThatThrownBy(() -> withoutOld.decrypt("plain", "bot")).hasMessageContaining("not a Herald secret");
        // bound to its row: another account's ciphertext does not open
        assertThatThrownBy(() -> new SecretBox(Map.of("old", OLD), Optional.empty()).decrypt(sealed, "other"))
                .hasMessageContaining("cannot decrypt");
    }

    @Test
    void aRingThatCannotWorkIsRefusedAtStart() {
        assertThatThrownBy(() -> new SecretBox(Map.of(), Optional.empty())).hasMessageContaining("herald.secrets.keys.<id>");
        assertThatThrownBy(() -> new SecretBox(Map.of("a", OLD, "b", NEW), Optional.empty()))
                .hasMessageContaining("herald.secrets.primary must name");
        assertThatThrownBy(() -> new SecretBox(Map.of("a", OLD), Optional.of("b"))).hasMessageContaining("'b'");
        assertThatThrownBy(() -> new SecretBox(Map.of("a", "c2hvcnQ="), Optional.empty()))
                .hasMessageContaining("herald.secrets.keys.a must decode to 32 bytes");
        assertThatThrownBy(() -> new SecretBox(Map.of("a:b", OLD), Optional.empty())).hasMessageContaining("key id");
    }

    @Test
    void theKeysComeFromPropertiesAndFromTheEnvironment() {
        SecretBox fromProperties = box(new PropertiesConfigSource(Map.of("herald.secrets.key", OLD,
                "herald.secrets.keys.next", NEW, "herald.secrets.primary", "next"), "test", 100));
        assertThat(fromProperties.keyIds()).containsExactly("default", "next");
        assertThat(fromProperties.primaryKey()).isEqualTo("next");

        SecretBox fromEnvironment = box(new EnvConfigSource(Map.of("HERALD_SECRETS_KEY", OLD,
                "HERALD_SECRETS_KEYS_NEXT", NEW, "HERALD_SECRETS_PRIMARY", "next"), 300));
        assertThat(fromEnvironment.keyIds()).containsExactly("default", "next");
        assertThat(fromEnvironment.primaryKey()).isEqualTo("next");

        SecretBox legacyOnly = box(new EnvConfigSource(Map.of("HERALD_SECRETS_KEY", OLD), 300));
        assertThat(legacyOnly.keyIds()).containsExactly("default");
        assertThat(legacyOnly.primaryKey()).isEqualTo("default");

        assertThatThrownBy(() -> box(new PropertiesConfigSource(Map.of("herald.secrets.key", OLD,
                "herald.secrets.keys.default", NEW), "test", 100))).hasMessageContaining("two different keys");
    }

    private static SecretBox box(org.eclipse.microprofile.config.spi.ConfigSource source) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withSources(source).withMapping(SecretsConfig.class).build();
        return new SecretBox(config.getConfigMapping(SecretsConfig.class));
    }
}

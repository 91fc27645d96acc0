package io.herald.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServiceTokensTest {

    record Token(String sha256, List<String> roles, Optional<String> tenant) implements AuthConfig.Token {
    }

    @Test
    void aConfiguredTokenIsItsHashWithRolesAndTenant() {
        ServiceToken token = ServiceTokens.fromConfig("ops", new Token(Sha256.hex("hrldt_x").toUpperCase(),
                List.of(" operator ", ""), Optional.of("acme")));
        assertThat(token.sha256()).isEqualTo(Sha256.digest("hrldt_x"));
        assertThat(token.roles()).containsExactly("operator");
        assertThat(token.tenant()).contains("acme");
        assertThat(token.toString()).doesNotContain(Sha256.hex("hrldt_x"));
    }

    @Test
    void aTokenInsteadOfItsHashOrNoRoleFailsTheStartWithAClearMessage() {
        assertThatThrownBy(() -> ServiceTokens.fromConfig("admin", new Token("hrldt_secret", List.of("admin"),
                Optional.empty()))).hasMessageContaining("herald.auth.tokens.admin.sha256")
                .hasMessageNotContaining("hrldt_secret");
        assertThatThrownBy(() -> ServiceTokens.fromConfig("admin", new Token(Sha256.hex("t"), List.of(" "),
                Optional.empty()))).hasMessageContaining("roles");
        assertThatThrownBy(() -> ServiceTokens.fromConfig("a b", new Token(Sha256.hex("t"), List.of("admin"),
                Optional.empty()))).hasMessageContaining("name");
    }

    @Test
    void jwtsAreTellableFromOtherTokens() {
        assertThat(BearerCredential.looksLikeJwt("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")).isTrue();
        assertThat(BearerCredential.looksLikeJwt("syt_YWxpY2U_abcdef_0123")).isFalse();
        assertThat(BearerCredential.looksLikeJwt("a.b")).isFalse();
        assertThat(BearerCredential.looksLikeJwt("a b.c.d")).isFalse();
    }

    @Test
    void onlyBearerHeadersCarryATokenAndTheSchemeIsCaseInsensitive() {
        assertThat(HeraldAuthMechanism.bearer("Bearer abc ")).isEqualTo("abc");
        assertThat(HeraldAuthMechanism.bearer("bearer abc")).isEqualTo("abc");
        assertThat(HeraldAuthMechanism.bearer("Basic abc")).isNull();
        assertThat(HeraldAuthMechanism.bearer("Bearer  ")).isNull();
        assertThat(HeraldAuthMechanism.bearer(null)).isNull();
    }
}

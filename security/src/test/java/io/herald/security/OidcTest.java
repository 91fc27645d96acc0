package io.herald.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * OIDC bearer tokens against a WireMock identity provider (discovery + JWKS), tokens signed here: roles from the
 * configured claim ({@code quarkus.oidc.roles.role-claim-path=herald_roles}), the tenant from
 * {@code herald.auth.oidc.tenant-claim=org}. Service tokens keep working beside OIDC.
 */
@QuarkusTest
@WithTestResource(FakeIdentityProvider.class)
class OidcTest {

    @ConfigProperty(name = "test.idp.issuer", defaultValue = "none") // default: another test class runs
    String issuer;

    @ConfigProperty(name = "test.idp.private-key", defaultValue = "none")
    String privateKey;

    private JwtClaimsBuilder claims(String subject, String... roles) {
        return Jwt.issuer(issuer).subject(subject).claim("herald_roles", List.of(roles))
                .expiresAt(Instant.now().plusSeconds(300));
    }

    private String sign(JwtClaimsBuilder claims) {
        return claims.jws().keyId(FakeIdentityProvider.KEY_ID).sign(key(privateKey));
    }

    static PrivateKey key(String base64) {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void rolesComeFromTheConfiguredClaimAndTheTenantFromItsClaim() {
        String operator = sign(claims("carol", "operator").claim("org", "acme"));
        given().auth().oauth2(operator).get("/probe/operator").then().statusCode(200)
                .body("name", equalTo("carol")).body("kind", equalTo("OIDC")).body("tenant", equalTo("acme"));
        given().auth().oauth2(operator).get("/probe/admin").then().statusCode(403)
                .contentType("application/problem+json").body("status", equalTo(403));
        String admin = sign(claims("dave", "admin"));
        given().auth().oauth2(admin).get("/probe/operator").then().statusCode(200)
                .body("roles", hasItems("admin", "operator")).body("tenant", equalTo(""));
        given().auth().oauth2(admin).get("/probe/users/@alice:example.org").then().statusCode(200);
        String nobody = sign(claims("erin"));
        given().auth().oauth2(nobody).get("/probe/operator").then().statusCode(403);
    }

    @Test
    void expiredForgedAndForeignTokensAre401() {
        String expired = sign(claims("carol", "admin").issuedAt(Instant.now().minusSeconds(7200))
                .expiresAt(Instant.now().minusSeconds(3600)));
        String forged = claims("carol", "admin").jws().keyId(FakeIdentityProvider.KEY_ID)
                .sign(FakeIdentityProvider.rsa().getPrivate());
        String otherIssuer = sign(claims("carol", "admin").issuer("https://elsewhere.example.org"));
        for (String token : List.of(expired, forged, otherIssuer, "not-a-jwt-at-all")) {
            given().auth().oauth2(token).get("/probe/admin").then().statusCode(401)
                    .contentType("application/problem+json").header("WWW-Authenticate", startsWith("Bearer"));
        }
        given().get("/probe/admin").then().statusCode(401).header("WWW-Authenticate", startsWith("Bearer"));
    }

    @Test
    void serviceTokensWorkBesideOidc() {
        given().auth().oauth2(ServiceTokenAndMatrixTest.ADMIN).get("/probe/admin").then().statusCode(200)
                .body("kind", equalTo("SERVICE_TOKEN"));
        given().auth().oauth2("hrldt_unknown").get("/probe/admin").then().statusCode(401);
    }
}

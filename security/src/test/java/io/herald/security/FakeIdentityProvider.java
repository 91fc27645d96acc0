package io.herald.security;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;

/**
 * WireMock as an OIDC identity provider: discovery and a JWKS with one RSA key generated here. The private key goes
 * to the test as {@code test.idp.private-key} (base64 PKCS#8), to sign its tokens.
 */
public class FakeIdentityProvider implements QuarkusTestResourceLifecycleManager {

    static final String REALM = "/realms/herald";
    static final String KEY_ID = "k1";
    private WireMockServer server;

    @Override
    public Map<String, String> start() {
        KeyPair keys = rsa();
        server = new WireMockServer(options().dynamicPort());
        server.start();
        String issuer = server.baseUrl() + REALM;
        server.stubFor(get(REALM + "/.well-known/openid-configuration").willReturn(okJson("{\"issuer\":\"" + issuer
                + "\",\"jwks_uri\":\"" + issuer + "/protocol/openid-connect/certs\",\"token_endpoint\":\"" + issuer
                + "/protocol/openid-connect/token\",\"authorization_endpoint\":\"" + issuer
                + "/protocol/openid-connect/auth\",\"id_token_signing_alg_values_supported\":[\"RS256\"]}")));
        RSAPublicKey key = (RSAPublicKey) keys.getPublic();
        server.stubFor(get(REALM + "/protocol/openid-connect/certs").willReturn(okJson("{\"keys\":[{\"kty\":\"RSA\","
                + "\"kid\":\"" + KEY_ID + "\",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":\"" + base64url(key.getModulus())
                + "\",\"e\":\"" + base64url(key.getPublicExponent()) + "\"}]}")));
        return Map.of("quarkus.oidc.auth-server-url", issuer,
                "quarkus.oidc.roles.role-claim-path", "herald_roles",
                "herald.auth.oidc.tenant-claim", "org",
                "test.idp.issuer", issuer,
                "test.idp.private-key", Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded()));
    }

    static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64url(BigInteger n) {
        byte[] bytes = n.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}

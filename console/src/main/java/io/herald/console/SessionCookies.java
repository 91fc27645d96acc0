package io.herald.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sessions live in the browser, in one cookie sealed with AES-256-GCM (the person's credential must not be readable
 * from the cookie, nor the cookie be forged or changed); nothing is stored on the server. The key comes from the
 * configuration (the same on every instance behind one address) or is generated at start.
 */
@ApplicationScoped
public class SessionCookies {

    public static final String NAME = "herald_console";
    private static final String AAD = "herald-console-session-v1";
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final SecretKey key;
    private final SecureRandom random = new SecureRandom();

    SessionCookies(ConsoleSettings settings) {
        byte[] bytes = settings.cookieKey().filter(k -> !k.isBlank()).map(k -> Base64.getDecoder().decode(k.trim()))
                .orElseGet(() -> {
                    byte[] generated = new byte[32];
                    new SecureRandom().nextBytes(generated);
                    return generated;
                });
        if (bytes.length != 32) {
            throw new IllegalStateException("the console's cookie key must be 32 bytes (base64), it has " + bytes.length);
        }
        this.key = new SecretKeySpec(bytes, "AES");
    }

    /** A random token (CSRF tokens). */
    public String randomToken() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public String seal(Session session) {
        try {
            byte[] nonce = new byte[12];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(AAD.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(JSON.writeValueAsBytes(session));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("the session could not be sealed", e);
        }
    }

    /** The session in a cookie value; empty when there is none, it was changed or sealed by another key, or expired. */
    public Optional<Session> open(String value) {
        if (value == null || value.isBlank() || value.length() > 8192) {
            return Optional.empty();
        }
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(value);
            if (bytes.length < 12 + 16) {
                return Optional.empty();
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, bytes, 0, 12));
            cipher.updateAAD(AAD.getBytes(StandardCharsets.UTF_8));
            Session session = JSON.readValue(cipher.doFinal(bytes, 12, bytes.length - 12), Session.class);
            return session.expiresAt() != null && session.expiresAt().isAfter(Instant.now()) ? Optional.of(session)
                    : Optional.empty();
        } catch (GeneralSecurityException | IllegalArgumentException | java.io.IOException e) {
            return Optional.empty();
        }
    }
}

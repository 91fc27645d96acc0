package io.herald.dispatcher.secret;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets at rest (access tokens, passwords) with AES-256-GCM, under a ring of keys: new values are sealed
 * with the primary key, and every value names the key that sealed it, so older values are still read with theirs.
 * The record's id is bound in as associated data, so a ciphertext copied onto another row does not decrypt.
 *
 * <p>Formats: {@code v2:<key id>:<base64(nonce || ciphertext)>}; {@code v1:<base64(nonce || ciphertext)>} (written
 * before the ring, with the one key of {@code herald.secrets.key}) is read with the key {@value #DEFAULT_KEY}.
 */
@ApplicationScoped
public class SecretBox {

    /** The id of {@code herald.secrets.key}, and of the key that sealed {@code v1:} values. */
    public static final String DEFAULT_KEY = "default";

    private static final String V1 = "v1:";
    private static final String V2 = "v2:";
    private static final String KEY_ID = "[A-Za-z0-9_-]{1,64}";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Map<String, SecretKeySpec> keys;
    private final String primary;
    private final SecureRandom random = new SecureRandom();

    @Inject
    SecretBox(SecretsConfig config) {
        this(ring(config), config.primary());
    }

    /** A ring of {@code base64Keys} (id → base64 of 32 bytes); {@code primary} may be empty for a ring of one. */
    public SecretBox(Map<String, String> base64Keys, Optional<String> primary) {
        if (base64Keys.isEmpty()) {
            throw new IllegalStateException("no key to encrypt secrets with: set herald.secrets.keys.<id> (base64 of 32"
                    + " bytes: openssl rand -base64 32) and herald.secrets.primary=<id>, or herald.secrets.key");
        }
        Map<String, SecretKeySpec> ring = new TreeMap<>();
        base64Keys.forEach((id, base64) -> ring.put(id, key(id, base64)));
        this.keys = Collections.unmodifiableMap(ring);
        if (primary.isPresent() && !ring.containsKey(primary.get().trim())) {
            throw new IllegalStateException("herald.secrets.primary names the key '" + primary.get().trim()
                    + "', which is not configured; the keys are " + ring.keySet());
        }
        if (primary.isEmpty() && ring.size() > 1) {
            throw new IllegalStateException("herald.secrets.primary must name the key new secrets are sealed with,"
                    + " one of " + ring.keySet());
        }
        this.primary = primary.map(String::trim).orElseGet(() -> ring.keySet().iterator().next());
    }

    /** The configured keys: {@code herald.secrets.keys.*}, and {@code herald.secrets.key} as {@value #DEFAULT_KEY}. */
    private static Map<String, String> ring(SecretsConfig config) {
        Map<String, String> ring = new TreeMap<>(config.keys());
        config.key().filter(k -> !k.isBlank()).ifPresent(legacy -> {
            String same = ring.putIfAbsent(DEFAULT_KEY, legacy);
            if (same != null && !same.trim().equals(legacy.trim())) {
                throw new IllegalStateException("herald.secrets.key and herald.secrets.keys." + DEFAULT_KEY
                        + " are two different keys for the key id '" + DEFAULT_KEY + "': keep one");
            }
        });
        ring.values().removeIf(String::isBlank);
        return ring;
    }

    private static SecretKeySpec key(String id, String base64) {
        String property = property(id);
        if (!id.matches(KEY_ID)) {
            throw new IllegalStateException("key id '" + id + "' (" + property + "): use 1-64 of A-Z a-z 0-9 _ -");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(property + " must be base64 (openssl rand -base64 32)");
        }
        if (raw.length != 32) {
            throw new IllegalStateException(property + " must decode to 32 bytes, not " + raw.length);
        }
        return new SecretKeySpec(raw, "AES");
    }

    /** Where key {@code id} is configured, for messages. */
    public static String property(String id) {
        return DEFAULT_KEY.equals(id) ? "herald.secrets.key (or herald.secrets.keys." + DEFAULT_KEY + ")"
                : "herald.secrets.keys." + id;
    }

    public String primaryKey() {
        return primary;
    }

    public Set<String> keyIds() {
        return keys.keySet();
    }

    /** The id of the key that sealed {@code stored}, or null when it is not a Herald secret. */
    public static String keyIdOf(String stored) {
        if (stored == null) {
            return null;
        }
        if (stored.startsWith(V1)) {
            return DEFAULT_KEY;
        }
        int end = stored.indexOf(':', V2.length());
        return stored.startsWith(V2) && end > V2.length() ? stored.substring(V2.length(), end) : null;
    }

    /** True when {@code stored} is sealed with the primary key in the current format (rotation leaves it as it is). */
    public boolean sealedWithPrimary(String stored) {
        return stored != null && stored.startsWith(V2 + primary + ":");
    }

    public String encrypt(String plaintext, String boundTo) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(primary), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return V2 + primary + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    public String decrypt(String stored, String boundTo) {
        String keyId = keyIdOf(stored);
        if (keyId == null) {
            throw new UnreadableSecretException("the secret of '" + boundTo + "' is not a Herald secret (wrong format)",
                    null);
        }
        SecretKeySpec key = keys.get(keyId);
        if (key == null) {
            throw new UnreadableSecretException("the secret of '" + boundTo + "' was sealed with the key '" + keyId
                    + "', which is not configured (" + property(keyId) + "): configure that key again (docs/deploy.md,"
                    + " \"Losing a key\")", keyId);
        }
        String sealed = stored.startsWith(V1) ? stored.substring(V1.length()) : stored.substring(V2.length() + keyId.length() + 1);
        try {
            byte[] in = Base64.getDecoder().decode(sealed);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | RuntimeException e) { // bad base64 or length, wrong key, tampered
            throw new UnreadableSecretException("cannot decrypt the secret of '" + boundTo + "' with the key '" + keyId
                    + "': it is not the key that sealed it (was " + property(keyId) + " changed?)", null);
        }
    }

    /** A stored secret that the ring cannot open: waiting does not help, an operator has to (see the message). */
    public static final class UnreadableSecretException extends IllegalStateException {

        private final String missingKey;

        public UnreadableSecretException(String message, String missingKey) {
            super(message);
            this.missingKey = missingKey;
        }

        /** The id of the key that sealed the secret when it is not configured, else null. */
        public String missingKey() {
            return missingKey;
        }
    }
}

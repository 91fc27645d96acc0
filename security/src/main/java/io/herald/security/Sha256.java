package io.herald.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a secret: how service tokens are configured and how tokens are remembered (never the token itself). */
public final class Sha256 {

    private Sha256() {
    }

    public static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hex(String s) {
        return HexFormat.of().formatHex(digest(s));
    }
}

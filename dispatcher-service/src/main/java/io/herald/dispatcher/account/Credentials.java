package io.herald.dispatcher.account;

/** What sending needs: where, and the decrypted token. {@link #toString()} never shows the token. */
public record Credentials(String accountId, String homeserver, String deviceId, String accessToken) {
    @Override
    public String toString() {
        return "Credentials[account=" + accountId + ", homeserver=" + homeserver + ", device=" + deviceId + "]";
    }
}

package io.herald.ingest.auth;

import jakarta.enterprise.context.RequestScoped;

/** The API key of the current request, set by {@link AuthFilter}. */
@RequestScoped
public class Caller {
    private ApiKey key;

    public ApiKey key() {
        if (key == null) {
            throw new IllegalStateException("no authenticated API key on this request");
        }
        return key;
    }

    void set(ApiKey key) {
        this.key = key;
    }
}

package io.herald.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Matrix access tokens, checked with the homeserver's {@code GET /_matrix/client/v3/account/whoami} and remembered
 * for {@code herald.auth.matrix.cache-ttl} (valid and unknown alike), keyed by the token's SHA-256, never the token.
 * Concurrent checks of one token share one request. Off unless {@code herald.auth.matrix.homeserver} is set.
 */
@ApplicationScoped
@Startup // a configuration mistake fails the start, not the first request
public class MatrixTokens {

    private static final Logger LOG = Logger.getLogger(MatrixTokens.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What the homeserver said: the user the token belongs to, or nothing (an unknown token), or why it could not
     * say ({@code unavailable}, not remembered).
     */
    record Whoami(Optional<String> userId, String unavailable) {
        static Whoami unavailable(String reason) {
            return new Whoami(Optional.empty(), reason);
        }
    }

    private final Optional<URI> whoami;
    private final AuthConfig.Matrix config;
    private final HttpClient client;
    private final AsyncCache<String, Whoami> cache;

    MatrixTokens(AuthConfig config) {
        this.config = config.matrix();
        this.whoami = this.config.homeserver()
                .map(h -> URI.create(h.toString().replaceAll("/+$", "") + "/_matrix/client/v3/account/whoami"));
        // No redirects: the token goes to the configured homeserver only.
        this.client = HttpClient.newBuilder().connectTimeout(this.config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.cache = Caffeine.newBuilder().expireAfterWrite(this.config.cacheTtl()).maximumSize(this.config.cacheSize())
                .buildAsync();
        whoami.ifPresent(uri -> LOG.infof("Matrix access tokens are checked with %s", uri));
    }

    public boolean enabled() {
        return whoami.isPresent();
    }

    /** What the homeserver says about the token; an {@code unavailable} answer is not remembered. */
    CompletableFuture<Whoami> userOf(String token) {
        String hash = Sha256.hex(token);
        CompletableFuture<Whoami> answer = cache.get(hash, (key, executor) -> ask(token));
        return answer.thenApply(whoami -> {
            if (whoami.unavailable() != null) {
                cache.asMap().remove(hash, answer);
            }
            return whoami;
        });
    }

    private CompletableFuture<Whoami> ask(String token) {
        HttpRequest request = HttpRequest.newBuilder(whoami.orElseThrow()).timeout(config.timeout())
                .header("Authorization", "Bearer " + token).header("Accept", "application/json").GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
            if (error != null) {
                LOG.warnf("whoami at the homeserver failed: %s", error.getCause() != null ? error.getCause() : error);
                return Whoami.unavailable("the homeserver could not be asked who this token belongs to; retry later");
            }
            if (response.statusCode() == 401) {
                return new Whoami(Optional.empty(), null);
            }
            String userId = response.statusCode() == 200 ? userId(response.body()) : null;
            if (userId == null) {
                LOG.warnf("whoami at the homeserver answered HTTP %d without a user id", response.statusCode());
                return Whoami.unavailable("the homeserver could not say who this token belongs to; retry later");
            }
            return new Whoami(Optional.of(userId), null);
        });
    }

    private static String userId(String body) {
        try {
            JsonNode userId = JSON.readTree(body).get("user_id");
            return userId != null && userId.isTextual() && userId.textValue().startsWith("@") ? userId.textValue() : null;
        } catch (IOException e) {
            return null;
        }
    }
}

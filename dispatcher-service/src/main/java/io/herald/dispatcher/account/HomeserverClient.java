package io.herald.dispatcher.account;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import io.herald.dispatcher.DispatcherConfig;
import io.herald.dispatcher.http.RetryAfter;
import io.herald.dispatcher.http.SafeText;
import org.jboss.logging.Logger;

/**
 * The admin-time calls to a homeserver: server discovery ({@code /.well-known/matrix/client} and
 * {@code /_matrix/client/versions}), password login, whoami and join. Blocking: call from a worker thread. Failures
 * become {@link HomeserverProblem}s with a specific detail; passwords and tokens never appear in them or in the log.
 */
@ApplicationScoped
public class HomeserverClient {

    private static final Logger LOG = Logger.getLogger(HomeserverClient.class);

    private final WebClient client;
    private final Duration timeout;
    private final String discoveryScheme;
    private final RetryAfter retryAfter;

    HomeserverClient(Vertx vertx, DispatcherConfig config, RetryAfter retryAfter) {
        this.client = WebClient.create(vertx, new WebClientOptions().setUserAgent("Herald").setFollowRedirects(true)
                .setConnectTimeout((int) config.connectTimeout().toMillis()));
        this.timeout = config.requestTimeout();
        this.discoveryScheme = config.discovery().scheme();
        this.retryAfter = retryAfter;
    }

    /** A successful login: the token, and the device and user the homeserver bound it to. */
    public record Login(String accessToken, String deviceId, String userId) {
        @Override
        public String toString() {
            return "Login[user=" + userId + ", device=" + deviceId + "]";
        }
    }

    /** The server name of a user id: what follows the first colon ({@code @bot:example.org:8448} → {@code example.org:8448}). */
    static String serverName(String userId) {
        return userId.substring(userId.indexOf(':') + 1);
    }

    /**
     * Client-server API base URL for a server name, as the spec's discovery says: the well-known's
     * {@code m.homeserver.base_url}, validated with {@code GET /_matrix/client/versions}; {@code <scheme>://<domain>}
     * when the well-known answers 404.
     */
    public String discover(String serverName) {
        String origin = discoveryScheme + "://" + serverName;
        String wellKnownUrl = origin + "/.well-known/matrix/client";
        HttpResponse<Buffer> wellKnown = call(client.getAbs(wellKnownUrl), null, "server discovery at " + wellKnownUrl);
        if (wellKnown.statusCode() == 404) {
            if (answersVersions(origin)) {
                return origin;
            }
            throw HomeserverProblem.badGateway("no homeserver found for " + serverName + ": " + wellKnownUrl
                    + " answered 404 and " + origin + "/_matrix/client/versions did not answer as a homeserver;"
                    + " give the homeserver URL explicitly");
        }
        if (wellKnown.statusCode() != 200) {
            throw HomeserverProblem.badGateway("server discovery failed: " + wellKnownUrl + " answered HTTP "
                    + wellKnown.statusCode());
        }
        String baseUrl;
        try {
            JsonObject homeserver = wellKnown.bodyAsJsonObject().getJsonObject("m.homeserver");
            baseUrl = homeserver == null ? null : homeserver.getString("base_url");
        } catch (DecodeException | ClassCastException e) {
            baseUrl = null;
        }
        if (baseUrl == null || !validHttpUrl(baseUrl)) {
            throw HomeserverProblem.badGateway("malformed well-known at " + wellKnownUrl
                    + ": expected {\"m.homeserver\": {\"base_url\": \"https://…\"}}");
        }
        baseUrl = baseUrl.replaceAll("/+$", "");
        if (!answersVersions(baseUrl)) {
            throw HomeserverProblem.badGateway("the well-known at " + wellKnownUrl + " points to " + baseUrl
                    + ", which does not answer " + baseUrl + "/_matrix/client/versions as a homeserver");
        }
        return baseUrl;
    }

    private boolean answersVersions(String baseUrl) {
        try {
            HttpResponse<Buffer> response = call(client.getAbs(baseUrl + "/_matrix/client/versions"), null, "");
            return response.statusCode() == 200 && response.bodyAsJsonObject().getJsonArray("versions") != null;
        } catch (HomeserverProblem | DecodeException | ClassCastException e) {
            LOG.debugf("no homeserver at %s: %s", baseUrl, e.getMessage());
            return false;
        }
    }

    /** {@code POST /_matrix/client/v3/login} with {@code m.login.password}, the {@code m.id.user} identifier and a fixed device. */
    public Login login(String homeserver, String userId, String password, String deviceId) {
        JsonObject body = new JsonObject()
                .put("type", "m.login.password")
                .put("identifier", new JsonObject().put("type", "m.id.user").put("user", userId))
                .put("password", password)
                .put("device_id", deviceId)
                .put("initial_device_display_name", "Herald");
        HttpResponse<Buffer> response = call(client.postAbs(homeserver + "/_matrix/client/v3/login"), body,
                "login at " + homeserver);
        if (response.statusCode() != 200) {
            throw refused(response, "login of " + userId + " at " + homeserver, true);
        }
        JsonObject json = jsonOrNull(response);
        String token = json == null ? null : json.getString("access_token");
        if (token == null) {
            throw HomeserverProblem.badGateway("login at " + homeserver + " answered 200 without an access_token");
        }
        String device = json.getString("device_id");
        return new Login(token, device == null ? deviceId : device, json.getString("user_id"));
    }

    /** {@code GET /_matrix/client/v3/account/whoami}: the user the token belongs to. */
    public String whoami(String homeserver, String accessToken) {
        HttpResponse<Buffer> response = call(client.getAbs(homeserver + "/_matrix/client/v3/account/whoami")
                .bearerTokenAuthentication(accessToken), null, "whoami at " + homeserver);
        if (response.statusCode() != 200) {
            throw refused(response, "whoami at " + homeserver, false);
        }
        JsonObject json = jsonOrNull(response);
        String userId = json == null ? null : json.getString("user_id");
        if (userId == null) {
            throw HomeserverProblem.badGateway("whoami at " + homeserver + " answered 200 without a user_id");
        }
        return userId;
    }

    /** {@code POST /_matrix/client/v3/join/{roomIdOrAlias}}: the joined room's id. Also accepts a pending invite. */
    public String join(Credentials credentials, String room) {
        String url = credentials.homeserver() + "/_matrix/client/v3/join/"
                + URLEncoder.encode(room, StandardCharsets.UTF_8).replace("+", "%20");
        HttpResponse<Buffer> response = call(client.postAbs(url).bearerTokenAuthentication(credentials.accessToken()),
                new JsonObject(), "join of " + room + " at " + credentials.homeserver());
        if (response.statusCode() != 200) {
            throw refused(response, "join of " + room + " as account " + credentials.accountId(), true);
        }
        JsonObject json = jsonOrNull(response);
        String roomId = json == null ? null : json.getString("room_id");
        if (roomId == null) {
            throw HomeserverProblem.badGateway("join of " + room + " answered 200 without a room_id");
        }
        return roomId;
    }

    /** True when the homeserver said the token is unknown (a re-login may help). */
    static boolean unknownToken(HomeserverProblem problem) {
        return "M_UNKNOWN_TOKEN".equals(problem.errcode());
    }

    private HttpResponse<Buffer> call(HttpRequest<Buffer> request, JsonObject body, String what) {
        try {
            request.timeout(timeout.toMillis());
            return (body == null ? request.send() : request.sendJsonObject(body)).await().atMost(timeout.plusSeconds(5));
        } catch (RuntimeException e) {
            throw HomeserverProblem.badGateway(what + " failed: " + SafeText.describe(e));
        }
    }

    /** A refusal: 403 and 429 (with its Retry-After) are passed on, 401 becomes 403, the rest a 502 naming the answer. */
    private HomeserverProblem refused(HttpResponse<Buffer> response, String what, boolean passClientErrors) {
        JsonObject json = jsonOrNull(response);
        String errcode = json == null ? null : json.getString("errcode");
        String error = json == null ? null : json.getString("error");
        int status = response.statusCode();
        String detail = what + " refused: HTTP " + status + (errcode == null ? "" : " " + errcode)
                + (error == null ? "" : ": " + error);
        if (status == 429) {
            return new HomeserverProblem(429, detail, errcode == null ? "M_LIMIT_EXCEEDED" : errcode,
                    retryAfterSeconds(response, json));
        }
        if (status == 401 && !"M_UNKNOWN_TOKEN".equals(errcode)) {
            return new HomeserverProblem(403, detail, errcode, null);
        }
        if (passClientErrors && (status == 400 || status == 403 || status == 404)) {
            return new HomeserverProblem(status, detail, errcode, null);
        }
        if (status == 401) {
            return new HomeserverProblem(401, detail, errcode, null);
        }
        return new HomeserverProblem(502, detail, errcode, null);
    }

    private Long retryAfterSeconds(HttpResponse<Buffer> response, JsonObject json) {
        Duration wait = retryAfter.of(response.getHeader("Retry-After"), json);
        return wait == null ? null : Math.max(1, (wait.toMillis() + 999) / 1000);
    }

    private static JsonObject jsonOrNull(HttpResponse<Buffer> response) {
        try {
            return response.body() == null ? null : response.bodyAsJsonObject();
        } catch (DecodeException | ClassCastException e) {
            return null;
        }
    }

    private static boolean validHttpUrl(String url) {
        try {
            URI uri = new URI(url);
            return ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (Exception e) {
            return false;
        }
    }

    @PreDestroy
    void close() {
        client.close();
    }
}

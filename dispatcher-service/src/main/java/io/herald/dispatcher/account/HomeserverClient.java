package io.herald.dispatcher.account;

import io.herald.dispatcher.DispatcherConfig;
import io.herald.dispatcher.http.RetryAfter;
import io.herald.dispatcher.http.SafeText;
import io.herald.dispatcher.outbound.OutboundFailures;
import io.herald.dispatcher.outbound.OutboundGuard;
import io.herald.dispatcher.outbound.Target;
import io.vertx.core.http.HttpMethod;
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
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The admin-time calls to a homeserver: server discovery ({@code /.well-known/matrix/client} and
 * {@code /_matrix/client/versions}), password login, whoami and join. Blocking: call from a worker thread. Failures
 * become {@link HomeserverProblem}s with a specific detail; passwords and tokens never appear in them or in the log.
 *
 * <p>Every URL passes the {@link OutboundGuard} and every request connects to the address it checked. Redirects of
 * the discovery requests are followed hop by hop (at most {@value #MAX_REDIRECTS}), each hop checked again; the
 * others (login, whoami, join: they carry a password or a token) are not followed.
 */
@ApplicationScoped
public class HomeserverClient {

    private static final Logger LOG = Logger.getLogger(HomeserverClient.class);
    static final int MAX_REDIRECTS = 3;

    private final WebClient client;
    private final Duration timeout;
    private final String discoveryScheme;
    private final RetryAfter retryAfter;
    private final OutboundGuard guard;

    HomeserverClient(Vertx vertx, DispatcherConfig config, RetryAfter retryAfter, OutboundGuard guard) {
        this.client = WebClient.create(vertx, new WebClientOptions().setUserAgent("Herald").setFollowRedirects(false)
                .setConnectTimeout((int) config.connectTimeout().toMillis()));
        this.timeout = config.requestTimeout();
        this.discoveryScheme = config.discovery().scheme();
        this.retryAfter = retryAfter;
        this.guard = guard;
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
     * Checks a homeserver URL an admin gave, before it is stored: 400 when Herald may not call it, 502 when its name
     * does not resolve.
     */
    public void check(String homeserver) {
        target(homeserver);
    }

    /**
     * Client-server API base URL for a server name, as the spec's discovery says: the well-known's
     * {@code m.homeserver.base_url}, validated with {@code GET /_matrix/client/versions}; {@code <scheme>://<domain>}
     * when the well-known answers 404.
     */
    public String discover(String serverName) {
        String origin = discoveryScheme + "://" + serverName;
        String wellKnownUrl = origin + "/.well-known/matrix/client";
        HttpResponse<Buffer> wellKnown = get(wellKnownUrl, "server discovery");
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
        HttpResponse<Buffer> response;
        try {
            response = get(baseUrl + "/_matrix/client/versions", "");
        } catch (HomeserverProblem e) {
            if (e.status() == 400) {
                throw e; // refused by the outbound guard (a redirect into an internal network): say so
            }
            LOG.debugf("no homeserver at %s: %s", baseUrl, e.getMessage());
            return false;
        }
        try {
            return response.statusCode() == 200 && response.bodyAsJsonObject().getJsonArray("versions") != null;
        } catch (DecodeException | ClassCastException e) {
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
        String what = "login of " + userId;
        HttpResponse<Buffer> response = call(homeserver, t -> t.request(client, HttpMethod.POST, "/_matrix/client/v3/login"),
                body, what);
        if (response.statusCode() != 200) {
            throw refused(response, what, homeserver, true);
        }
        JsonObject json = jsonOrNull(response);
        String token = json == null ? null : json.getString("access_token");
        if (token == null) {
            throw new HomeserverProblem(502, "login at " + homeserver + " answered 200 without an access_token",
                    "the login answered 200 without an access_token", null, null);
        }
        String device = json.getString("device_id");
        return new Login(token, device == null ? deviceId : device, json.getString("user_id"));
    }

    /** {@code GET /_matrix/client/v3/account/whoami}: the user the token belongs to. */
    public String whoami(String homeserver, String accessToken) {
        HttpResponse<Buffer> response = call(homeserver, t -> t.request(client, HttpMethod.GET,
                "/_matrix/client/v3/account/whoami").bearerTokenAuthentication(accessToken), null, "whoami");
        if (response.statusCode() != 200) {
            throw refused(response, "whoami", homeserver, false);
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
        String path = "/_matrix/client/v3/join/" + URLEncoder.encode(room, StandardCharsets.UTF_8).replace("+", "%20");
        String what = "join of " + room + " as account " + credentials.accountId();
        HttpResponse<Buffer> response = call(credentials.homeserver(), t -> t.request(client, HttpMethod.POST, path)
                .bearerTokenAuthentication(credentials.accessToken()), new JsonObject(), what);
        if (response.statusCode() != 200) {
            throw refused(response, what, credentials.homeserver(), true);
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

    /** What the outbound guard says of {@code url}: its target, else a problem (400 refused, 502 unresolved). */
    private Target target(String url) {
        OutboundGuard.Verdict verdict = guard.check(OutboundGuard.Peer.HOMESERVER, url);
        if (verdict instanceof OutboundGuard.Verdict.Allowed allowed) {
            return allowed.target();
        }
        if (verdict instanceof OutboundGuard.Verdict.Refused refused) {
            throw new HomeserverProblem(400, refused.detail(), refused.reason(), null, null);
        }
        OutboundGuard.Verdict.Unresolved unresolved = (OutboundGuard.Verdict.Unresolved) verdict;
        throw new HomeserverProblem(502, unresolved.detail(), unresolved.reason(), null, null);
    }

    /** An unauthenticated GET; redirects are followed, each hop checked by the guard as the first URL was. */
    private HttpResponse<Buffer> get(String url, String what) {
        String current = url;
        for (int hop = 0; ; hop++) {
            HttpResponse<Buffer> response = call(current, t -> t.request(client, HttpMethod.GET, ""), null,
                    what.isEmpty() ? "GET " + current : what);
            String location = response.getHeader("Location");
            if (response.statusCode() < 300 || response.statusCode() > 399 || location == null) {
                return response;
            }
            if (hop == MAX_REDIRECTS) {
                throw HomeserverProblem.badGateway(url + " redirected more than " + MAX_REDIRECTS + " times");
            }
            try {
                current = URI.create(current).resolve(location).toString();
            } catch (IllegalArgumentException e) {
                throw HomeserverProblem.badGateway(current + " redirected to an invalid URL");
            }
        }
    }

    /** One request to the homeserver at {@code homeserver} (checked by the guard); {@code what} names it in problems. */
    private HttpResponse<Buffer> call(String homeserver, Function<Target, HttpRequest<Buffer>> request, JsonObject body,
            String what) {
        Target target = target(homeserver);
        try {
            HttpRequest<Buffer> r = request.apply(target).timeout(timeout.toMillis());
            return (body == null ? r.send() : r.sendJsonObject(body)).await().atMost(timeout.plusSeconds(5));
        } catch (RuntimeException e) {
            throw new HomeserverProblem(502, what + " at " + target + " failed: " + SafeText.describe(e),
                    what + " at the homeserver failed: " + OutboundFailures.publicReason(e), null, null);
        }
    }

    /**
     * A refusal: 403 and 429 (with its Retry-After) are passed on, 401 becomes 403, a redirect (not followed) and the
     * rest a 502 naming the answer.
     */
    private HomeserverProblem refused(HttpResponse<Buffer> response, String what, String homeserver,
            boolean passClientErrors) {
        JsonObject json = jsonOrNull(response);
        String errcode = json == null ? null : json.getString("errcode");
        String error = json == null ? null : json.getString("error");
        int status = response.statusCode();
        String answer = "HTTP " + status + (errcode == null ? "" : " " + errcode) + (error == null ? "" : ": " + error);
        String publicDetail = SafeText.of(what + " refused by the homeserver: " + answer);
        String detail = SafeText.of(what + " at " + homeserver + " refused: " + answer);
        if (status >= 300 && status < 400) {
            String redirect = " (a redirect" + (response.getHeader("Location") == null ? ""
                    : " to " + response.getHeader("Location")) + ", which Herald does not follow for requests that carry"
                    + " a password or a token: give the URL it points to)";
            return new HomeserverProblem(502, SafeText.of(detail + redirect), publicDetail + " (a redirect, not followed)",
                    null, null);
        }
        if (status == 429) {
            return new HomeserverProblem(429, detail, publicDetail, errcode == null ? "M_LIMIT_EXCEEDED" : errcode,
                    retryAfterSeconds(response, json));
        }
        if (status == 401 && !"M_UNKNOWN_TOKEN".equals(errcode)) {
            return new HomeserverProblem(403, detail, publicDetail, errcode, null);
        }
        if (passClientErrors && (status == 400 || status == 403 || status == 404)) {
            return new HomeserverProblem(status, detail, publicDetail, errcode, null);
        }
        if (status == 401) {
            return new HomeserverProblem(401, detail, publicDetail, errcode, null);
        }
        return new HomeserverProblem(502, detail, publicDetail, errcode, null);
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

package io.herald.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.qute.Engine;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One request to the console: the signed-in person's session (from the sealed cookie), their calls to the services'
 * APIs with their own credential, CSRF checks of forms, and rendering a page with the layout's data.
 */
@RequestScoped
public class Page {

    public static final String ROOT = "/console";
    private static final String PRE_CSRF = "herald_console_csrf";

    private final SessionCookies cookies;
    private final Apis apis;
    private final Engine engine;
    private final CurrentVertxRequest current;
    private Session session;

    Page(SessionCookies cookies, Apis apis, Engine engine, CurrentVertxRequest current) {
        this.cookies = cookies;
        this.apis = apis;
        this.engine = engine;
        this.current = current;
    }

    HttpServerRequest request() {
        return current.getCurrent().request();
    }

    /** The signed-in person, or {@link SignInRequired}. */
    public Session session() {
        if (session == null) {
            Cookie cookie = request().getCookie(SessionCookies.NAME);
            session = cookies.open(cookie == null ? null : cookie.getValue()).orElseThrow(SignInRequired::new);
        }
        return session;
    }

    /** GET on a service's API as the signed-in person. */
    public JsonNode get(Apis.Service service, String path) {
        return call(service, "GET", path, null);
    }

    public JsonNode call(Apis.Service service, String method, String path, Object body) {
        return apis.call(session().token(), apis.baseUrl(service, ingestHere()), method, path, body);
    }

    /** A call with a credential that is not (yet) a session's: the sign-in's check. */
    JsonNode callWith(String token, Apis.Service service, String method, String path) {
        return apis.call(token, apis.baseUrl(service, ingestHere()), method, path, null);
    }

    private String ingestHere() {
        HttpServerRequest request = request();
        return (request.isSSL() ? "https" : "http") + "://127.0.0.1:" + request.localAddress().port();
    }

    /** A form's action: its CSRF token checked, then one call to a service's API as the signed-in person. */
    public JsonNode submit(String csrf, Apis.Service service, String method, String path) {
        checkCsrf(csrf);
        return call(service, method, path, null);
    }

    /** A form of the signed-in person must carry their CSRF token. */
    public void checkCsrf(String token) {
        if (!same(token, session().csrf())) {
            throw new ApiException(403, "the form has expired: reload the page and try again");
        }
    }

    static boolean same(String a, String b) {
        return a != null && b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8),
                b.getBytes(StandardCharsets.UTF_8));
    }

    /** Renders {@code templates/console/<name>.html} with the layout's data (the person, the CSRF token, the menu). */
    public String render(String name, String section, Map<String, Object> data) {
        Map<String, Object> all = new HashMap<>(data);
        all.put("section", section);
        Optional.ofNullable(sessionOrNull()).ifPresent(s -> {
            all.put("me", s);
            all.put("csrf", s.csrf());
        });
        return engine.getTemplate("console/" + name).data(all).render();
    }

    private Session sessionOrNull() {
        try {
            return session();
        } catch (SignInRequired e) {
            return null;
        }
    }

    public static Response redirect(String path) {
        return Response.seeOther(URI.create(ROOT + path)).build();
    }

    public static Response html(String body) {
        return html(200, body);
    }

    /**
     * A page: never cached (it shows what the person's credential may see), no script or style but the console's
     * own files, never framed, no referrer to the links it shows.
     */
    public static Response html(int status, String body) {
        return Response.status(status).entity(body).type("text/html; charset=UTF-8")
                .header("Cache-Control", "no-store")
                .header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'")
                .header("X-Content-Type-Options", "nosniff").header("Referrer-Policy", "no-referrer").build();
    }

    // --- cookies: HttpOnly, SameSite=Strict, only under /console, Secure when served over TLS

    Cookie cookie(String name, String value, long maxAgeSeconds) {
        return Cookie.cookie(name, value).setPath(ROOT).setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
                .setSecure(request().isSSL() || "https".equalsIgnoreCase(request().getHeader("X-Forwarded-Proto")))
                .setMaxAge(maxAgeSeconds);
    }

    void startSession(Session session) {
        current.getCurrent().response().addCookie(cookie(SessionCookies.NAME, cookies.seal(session),
                java.time.Duration.between(java.time.Instant.now(), session.expiresAt()).toSeconds()));
        current.getCurrent().response().addCookie(cookie(PRE_CSRF, "", 0));
    }

    void endSession() {
        current.getCurrent().response().addCookie(cookie(SessionCookies.NAME, "", 0));
    }

    /** The sign-in form's CSRF token (double submit: a cookie and the form must agree; there is no session yet). */
    String signInCsrf() {
        Cookie existing = request().getCookie(PRE_CSRF);
        if (existing != null && !existing.getValue().isBlank()) {
            return existing.getValue();
        }
        String token = cookies.randomToken();
        current.getCurrent().response().addCookie(cookie(PRE_CSRF, token, 3600));
        return token;
    }

    boolean signInCsrfMatches(String formToken) {
        Cookie existing = request().getCookie(PRE_CSRF);
        return existing != null && same(formToken, existing.getValue());
    }

    String newCsrf() {
        return cookies.randomToken();
    }
}

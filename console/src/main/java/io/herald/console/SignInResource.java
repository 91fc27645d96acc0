package io.herald.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sign-in with a credential the APIs accept (a service token, an OIDC access token, an API key): ingest's
 * {@code GET /v1/whoami} says who it is, and it is kept, sealed, in the session cookie. The console's pages are open
 * to everyone ({@code @PermitAll}): each API call they make carries the person's credential, and the APIs decide.
 */
@Path(Page.ROOT)
@PermitAll
@Blocking
public class SignInResource {

    private final Page page;
    private final ConsoleSettings settings;

    SignInResource(Page page, ConsoleSettings settings) {
        this.page = page;
        this.settings = settings;
    }

    @GET
    public Response root() {
        return Page.redirect("/overview");
    }

    @GET
    @Path("sign-in")
    public Response form(@QueryParam("expired") String expired) {
        return Page.html(page.render("sign-in", "sign-in", Map.of("signInCsrf", page.signInCsrf(),
                "error", expired == null ? "" : "Your sign-in has expired or was revoked. Please sign in again.")));
    }

    @POST
    @Path("sign-in")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signIn(@FormParam("token") String token, @FormParam("csrf") String csrf) {
        if (!page.signInCsrfMatches(csrf)) {
            return refused(400, "The form has expired. Please try again.");
        }
        if (token == null || token.isBlank() || token.length() > 8192 || !token.strip().chars().allMatch(c -> c > 32 && c < 127)) {
            return refused(400, "Paste a service token (hrldt_…), an OIDC access token or an API key (hrld_…).");
        }
        JsonNode me;
        try {
            me = page.callWith(token.strip(), Apis.Service.INGEST, "GET", "/v1/whoami");
        } catch (ApiException e) {
            return refused(e.status() == 401 || e.status() == 403 ? 401 : 502, e.status() == 401 || e.status() == 403
                    ? "This credential was not accepted." : e.getMessage());
        }
        List<String> roles = new ArrayList<>();
        me.path("roles").forEach(r -> roles.add(r.asText()));
        page.startSession(new Session(token.strip(), page.newCsrf(), me.path("name").asText("?"),
                me.path("kind").asText(""), roles, me.hasNonNull("tenant") ? me.get("tenant").asText() : null,
                Instant.now().plus(settings.sessionTimeout())));
        return Page.redirect(roles.contains("operator") || roles.contains("admin") ? "/overview" : "/api-keys");
    }

    private Response refused(int status, String message) {
        return Page.html(status, page.render("sign-in", "sign-in", Map.of("signInCsrf", page.signInCsrf(),
                "error", message)));
    }

    @POST
    @Path("sign-out")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signOut(@FormParam("csrf") String csrf) {
        page.checkCsrf(csrf);
        page.endSession();
        return Page.redirect("/sign-in");
    }
}

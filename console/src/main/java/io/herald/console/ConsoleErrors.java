package io.herald.console;

import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;

/** The console's own failures as pages: no session goes to the sign-in, an API's refusal is shown with its words. */
public final class ConsoleErrors {

    private ConsoleErrors() {
    }

    @Provider
    public static class SignIn implements ExceptionMapper<SignInRequired> {
        @Override
        public Response toResponse(SignInRequired e) {
            return Page.redirect("/sign-in");
        }
    }

    @Provider
    public static class Refused implements ExceptionMapper<ApiException> {
        @Inject
        Page page;

        @Override
        public Response toResponse(ApiException e) {
            if (e.status() == 401) { // the credential expired or was revoked: sign in again
                page.endSession();
                return Page.redirect("/sign-in?expired=1");
            }
            int status = e.status() >= 400 && e.status() < 600 ? e.status() : 502;
            return Page.html(status, page.render("error", "", Map.of("status", status, "message", e.getMessage())));
        }
    }
}

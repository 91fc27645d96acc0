package io.herald.security;

import io.herald.common.problem.Problem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/**
 * Every denial in the service's error format: 401 with {@code WWW-Authenticate: Bearer} for a missing or rejected
 * credential, 403 for a role that does not allow the operation, 503 when a credential could not be checked. Problem
 * details on Herald's APIs; Matrix errors on {@link MatrixApi} resources, as a homeserver would answer.
 */
public class AuthDenials {

    @ServerExceptionMapper
    public Response missing(UnauthorizedException e, SimpleResourceInfo resource) {
        return matrix(resource)
                ? unauthorized(matrixError(401, "M_MISSING_TOKEN", "Missing access token"))
                : unauthorized(Problem.of(Response.Status.UNAUTHORIZED,
                        "authentication required: Authorization: Bearer <token>").toResponse());
    }

    @ServerExceptionMapper
    public Response rejected(AuthenticationFailedException e, SimpleResourceInfo resource) {
        String reason = AuthFailures.reason(e);
        if (AuthFailures.unavailable(e)) {
            Response response = matrix(resource) ? matrixError(503, "M_UNKNOWN", reason)
                    : Problem.of(Response.Status.SERVICE_UNAVAILABLE, reason).toResponse();
            return Response.fromResponse(response).header(HttpHeaders.RETRY_AFTER, "5").build();
        }
        // Reasons of Herald's own checks are safe to show; the OIDC library's are not shown.
        String detail = reason != null ? reason : "the bearer token is not valid (expired, wrong signature or issuer)";
        return matrix(resource) ? unauthorized(matrixError(401, "M_UNKNOWN_TOKEN", "Unrecognised access token: " + detail))
                : unauthorized(Problem.of(Response.Status.UNAUTHORIZED, detail).toResponse());
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, SimpleResourceInfo resource) {
        String detail = e.getMessage() != null ? e.getMessage() : "this operation needs the role " + roles(resource);
        return matrix(resource) ? matrixError(403, "M_FORBIDDEN", detail)
                : Problem.of(Response.Status.FORBIDDEN, detail).toResponse();
    }

    private static boolean matrix(SimpleResourceInfo resource) {
        return resource != null && resource.getResourceClass() != null
                && resource.getResourceClass().isAnnotationPresent(MatrixApi.class);
    }

    /** The roles the operation allows, e.g. {@code admin} or {@code operator or admin}. */
    private static String roles(SimpleResourceInfo resource) {
        RolesAllowed allowed = null;
        if (resource != null && resource.getResourceClass() != null) {
            try {
                Method method = resource.getResourceClass().getMethod(resource.getMethodName(),
                        resource.parameterTypes());
                allowed = method.getAnnotation(RolesAllowed.class);
            } catch (NoSuchMethodException ignored) {
                // fall back to the class
            }
            if (allowed == null) {
                allowed = resource.getResourceClass().getAnnotation(RolesAllowed.class);
            }
        }
        return allowed == null ? "that the caller lacks" : String.join(" or ", Arrays.asList(allowed.value()));
    }

    private static Response unauthorized(Response response) {
        return Response.fromResponse(response).header(HttpHeaders.WWW_AUTHENTICATE, HeraldAuthMechanism.CHALLENGE)
                .build();
    }

    static Response matrixError(int status, String errcode, String error) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("errcode", errcode, "error", error)).build();
    }
}

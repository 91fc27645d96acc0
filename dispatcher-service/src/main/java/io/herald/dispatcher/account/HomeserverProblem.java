package io.herald.dispatcher.account;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failure talking to a homeserver (discovery, login, whoami, join), answered as RFC 9457 problem details that also
 * carry the homeserver's {@code errcode} when it sent one, and {@code Retry-After} when it asked to wait. The detail
 * never contains a password or a token. It may name addresses (answers of the admin API, and the log); the
 * {@link #publicDetail()} does not, for what operators and tenants read (a re-login's failure in a delivery's reason).
 */
public class HomeserverProblem extends RuntimeException {

    private final int status;
    private final String publicDetail;
    private final String errcode;
    private final Long retryAfterSeconds;

    HomeserverProblem(int status, String detail, String errcode, Long retryAfterSeconds) {
        this(status, detail, detail, errcode, retryAfterSeconds);
    }

    HomeserverProblem(int status, String detail, String publicDetail, String errcode, Long retryAfterSeconds) {
        super(detail, null, false, false);
        this.status = status;
        this.publicDetail = publicDetail;
        this.errcode = errcode;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static HomeserverProblem badGateway(String detail) {
        return new HomeserverProblem(502, detail, null, null);
    }

    public int status() {
        return status;
    }

    /** The detail without addresses or URLs. */
    public String publicDetail() {
        return publicDetail;
    }

    public String errcode() {
        return errcode;
    }

    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    Response toResponse() {
        Response.StatusType type = Response.Status.fromStatusCode(status);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", type == null ? "HTTP " + status : type.getReasonPhrase());
        body.put("status", status);
        body.put("detail", getMessage());
        if (errcode != null) {
            body.put("errcode", errcode);
        }
        Response.ResponseBuilder response = Response.status(status).type("application/problem+json").entity(body);
        if (retryAfterSeconds != null) {
            response.header("Retry-After", retryAfterSeconds);
        }
        return response.build();
    }

    @Provider
    public static class Mapper implements ExceptionMapper<HomeserverProblem> {
        @Override
        public Response toResponse(HomeserverProblem e) {
            return e.toResponse();
        }
    }
}

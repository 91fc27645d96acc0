package io.herald.ingest;

import io.herald.common.problem.Problem;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.Map;

/** A problem-details answer that also carries response headers (WWW-Authenticate, Retry-After). */
public class HttpProblemException extends RuntimeException {
    private final Problem problem;
    private final Map<String, String> headers;

    public HttpProblemException(Problem problem, Map<String, String> headers) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
        this.headers = headers;
    }

    public static HttpProblemException of(Response.Status status, String detail) {
        return new HttpProblemException(Problem.of(status, detail), Map.of());
    }

    /** 400 naming one field, like the validation errors. */
    public static HttpProblemException badField(String field, String message) {
        return new HttpProblemException(new Problem("about:blank", "Bad Request", 400, field + ": " + message,
                List.of(new Problem.FieldError(field, message))), Map.of());
    }

    /** 400 naming every field at once: the detail lists them, after {@code prefix} (or nothing). */
    public static HttpProblemException badFields(String prefix, List<Problem.FieldError> errors) {
        String detail = (prefix == null ? "" : prefix) + String.join("; ",
                errors.stream().map(f -> f.field() + ": " + f.message()).toList());
        return new HttpProblemException(new Problem("about:blank", "Bad Request", 400, detail, errors), Map.of());
    }

    public static HttpProblemException unauthorized(String detail) {
        return new HttpProblemException(Problem.of(Response.Status.UNAUTHORIZED, detail),
                Map.of("WWW-Authenticate", "Bearer realm=\"herald\""));
    }

    public Problem problem() {
        return problem;
    }

    @Provider
    public static class Mapper implements ExceptionMapper<HttpProblemException> {
        @Override
        public Response toResponse(HttpProblemException e) {
            Response.ResponseBuilder builder = Response.fromResponse(e.problem.toResponse());
            e.headers.forEach(builder::header);
            return builder.build();
        }
    }
}

package io.herald.rules.push;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A Matrix standard error response ({@code {"errcode", "error"}}) for Herald's Matrix-compatible endpoints. */
public class MatrixError extends RuntimeException {

    public record Body(String errcode, String error) {
    }

    private final int status;
    private final String errcode;

    public MatrixError(int status, String errcode, String error) {
        super(error);
        this.status = status;
        this.errcode = errcode;
    }

    public static MatrixError notFound() {
        return new MatrixError(404, "M_NOT_FOUND", "The push rule was not found.");
    }

    /**
     * 400 {@code M_UNKNOWN}: what Synapse answers for a push rule it refuses (an invalid rule or value, an unknown kind
     * in a {@code PUT}, a rule id starting with {@code .}); the spec's example of this 400 has the same errcode.
     */
    public static MatrixError unknown(String message) {
        return new MatrixError(400, "M_UNKNOWN", message);
    }

    /** 400 {@code M_UNRECOGNIZED}: a path under {@code /pushrules} that names no kind or attribute (as Synapse). */
    public static MatrixError unrecognized() {
        return new MatrixError(400, "M_UNRECOGNIZED", "Unrecognized request");
    }

    public static MatrixError invalidParam(String message) {
        return new MatrixError(400, "M_INVALID_PARAM", message);
    }

    public Response toResponse() {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new Body(errcode, getMessage())).build();
    }

    @Provider
    public static class Mapper implements ExceptionMapper<MatrixError> {
        @Override
        public Response toResponse(MatrixError e) {
            return e.toResponse();
        }
    }
}

package io.herald.common.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * An RFC 9457 problem details body, the error shape of Herald's own (non-Matrix) APIs.
 *
 * @param errors field-level messages, when the request had invalid fields
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<FieldError> errors) {

    public static final MediaType MEDIA_TYPE = new MediaType("application", "problem+json");

    public record FieldError(String field, String message) {
    }

    public static Problem of(Response.StatusType status, String detail) {
        return new Problem("about:blank", status.getReasonPhrase(), status.getStatusCode(), detail, null);
    }

    public Response toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(this).build();
    }

    /** Throws from a resource to answer with a problem of the given status. */
    public static ProblemException exception(Response.Status status, String detail) {
        return new ProblemException(of(status, detail));
    }
}

package io.herald.common.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Comparator;
import java.util.List;

/** Maps the usual request errors to problem details, so every error of every service has the same shape. */
public final class ProblemMappers {

    private ProblemMappers() {
    }

    @Provider
    public static class ProblemExceptionMapper implements ExceptionMapper<ProblemException> {
        @Override
        public Response toResponse(ProblemException e) {
            return e.problem().toResponse();
        }
    }

    /** Invalid fields: 400 with one message per field, e.g. {@code body: is required}. */
    @Provider
    public static class ValidationMapper implements ExceptionMapper<ConstraintViolationException> {
        @Override
        public Response toResponse(ConstraintViolationException e) {
            List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                    .map(v -> new Problem.FieldError(field(v), v.getMessage()))
                    .sorted(Comparator.comparing(Problem.FieldError::field))
                    .toList();
            String detail = String.join("; ", errors.stream().map(f -> f.field() + ": " + f.message()).toList());
            return new Problem("about:blank", "Bad Request", 400, detail, errors).toResponse();
        }

        /**
         * The field as the client wrote it: {@code post.request.matrixRoomId} becomes {@code matrix_room_id} (Herald's
         * JSON is snake_case), {@code post.room} (a path parameter) stays {@code room}.
         */
        private static String field(ConstraintViolation<?> v) {
            String[] parts = v.getPropertyPath().toString().split("\\.");
            List<String> field = parts.length >= 3 ? List.of(parts).subList(2, parts.length) : List.of(parts[parts.length - 1]);
            return String.join(".", field.stream().map(ValidationMapper::snakeCase).toList());
        }

        static String snakeCase(String name) {
            return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Unparseable JSON, or JSON of the wrong shape. */
    @Provider
    public static class JsonMapper implements ExceptionMapper<JsonProcessingException> {
        @Override
        public Response toResponse(JsonProcessingException e) {
            return Problem.of(Response.Status.BAD_REQUEST, "request body is not valid JSON for this endpoint: "
                    + e.getOriginalMessage()).toResponse();
        }
    }

    /** 404, 405, 413, 415 and the like keep their status and get a problem body. */
    @Provider
    public static class WebApplicationMapper implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            Response.StatusType status = e.getResponse().getStatusInfo();
            if (e.getCause() instanceof JsonProcessingException json) {
                return new JsonMapper().toResponse(json);
            }
            return Problem.of(status, e.getMessage()).toResponse();
        }
    }
}

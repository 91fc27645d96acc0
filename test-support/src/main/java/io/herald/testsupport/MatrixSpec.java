package io.herald.testsupport;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates requests Herald sends and responses it serves against the official Matrix OpenAPI definitions
 * (v1.19, copied unchanged into {@code test-support/src/main/resources/matrix-spec}).
 */
public final class MatrixSpec {

    public static final String ROOM_SEND = "client-server/room_send.yaml";
    /** Written for Herald from the spec (see matrix-spec/README.md): the copy has no redaction.yaml. */
    public static final String REDACTION = "client-server/redaction.yaml";
    public static final String LOGIN = "client-server/login.yaml";
    public static final String PUSH_RULES = "client-server/pushrules.yaml";
    public static final String PUSHERS = "client-server/pusher.yaml";
    public static final String PUSH_NOTIFY = "push-gateway/push_notifier.yaml";

    private static final Map<String, OpenApiInteractionValidator> VALIDATORS = new ConcurrentHashMap<>();

    private MatrixSpec() {
    }

    /** Validates one request; the report lists every violation (empty when the request conforms). */
    public static ValidationReport validateRequest(String specFile, Request.Method method, String path,
            Map<String, String> headers, String jsonBody) {
        SimpleRequest.Builder request = new SimpleRequest.Builder(method, path);
        headers.forEach(request::withHeader);
        if (jsonBody != null) {
            request.withContentType("application/json").withBody(jsonBody);
        }
        return validator(specFile).validateRequest(request.build());
    }

    public static ValidationReport validateResponse(String specFile, Request.Method method, String path, int status,
            String jsonBody) {
        SimpleResponse.Builder response = SimpleResponse.Builder.status(status);
        if (jsonBody != null) {
            response.withContentType("application/json").withBody(jsonBody);
        }
        return validator(specFile).validateResponse(path, method, response.build());
    }

    private static OpenApiInteractionValidator validator(String specFile) {
        return VALIDATORS.computeIfAbsent(specFile, f -> OpenApiInteractionValidator
                .createForSpecificationUrl(root().resolve("data/api").resolve(f).toUri().toString())
                .withBasePathOverride(f.startsWith("push-gateway") ? "/_matrix/push/v1" : "/_matrix/client/v3")
                .withResolveCombinators(true)
                .withLevelResolver(LevelResolver.create()
                        // the 429 body is an allOf; with resolved combinators its properties look "additional"
                        .withLevel("validation.schema.additionalProperties", ValidationReport.Level.IGNORE)
                        // joining.yaml's roomIdOrAlias path parameter is a oneOf the validator cannot read
                        .withLevel("validation.request.parameter.schema.invalidJson", ValidationReport.Level.IGNORE)
                        .build())
                .build());
    }

    /** Finds the definitions from the current directory upwards (every module runs its tests inside the repo). */
    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("test-support/src/main/resources/matrix-spec");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("matrix-spec definitions not found above " + Path.of("").toAbsolutePath());
    }
}

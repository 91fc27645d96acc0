package io.herald.ingest.queue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.common.Json;
import io.herald.common.problem.Problem;
import io.herald.ingest.HttpProblemException;
import io.herald.ingest.IngestConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The dispatcher's sender-queue API, called with ingest's own service token ({@code herald.ingest.dispatcher.token})
 * and the API key's tenant, after ingest checked the key's rooms: the dispatcher owns the delivery state, and only
 * ingest can check API keys. Its answers are handed on; when it cannot be reached the caller gets 503.
 */
@ApplicationScoped
public class DispatcherClient {

    private static final Logger LOG = Logger.getLogger(DispatcherClient.class);

    private final HttpClient client;
    private final String baseUrl;
    private final Optional<String> token;
    private final Duration timeout;

    DispatcherClient(IngestConfig config) {
        this.timeout = config.dispatcher().timeout();
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.baseUrl = config.dispatcher().url().replaceAll("/+$", "");
        this.token = config.dispatcher().token().filter(t -> !t.isBlank());
    }

    /** One call; the answer's JSON, or a problem: the dispatcher's 4xx as they are, 503 when it cannot answer. */
    public Uni<JsonNode> call(String method, String path, String tenant) {
        if (token.isEmpty()) {
            return Uni.createFrom().failure(unavailable("the delivery status is not configured on this Herald"
                    + " (herald.ingest.dispatcher.token)"));
        }
        String url = baseUrl + path + (path.contains("?") ? "&" : "?") + "tenant="
                + URLEncoder.encode(tenant, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("Authorization", "Bearer " + token.get()).header("Accept", "application/json")
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return Uni.createFrom().completionStage(() -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .onFailure().transform(e -> {
                    LOG.warnf("the dispatcher at %s did not answer: %s", baseUrl, e.toString());
                    return unavailable("the delivery status cannot be read right now; retry later");
                })
                .map(DispatcherClient::answer);
    }

    private static JsonNode answer(HttpResponse<String> response) {
        int status = response.statusCode();
        JsonNode body;
        try {
            body = response.body() == null || response.body().isBlank() ? Json.MAPPER.createObjectNode()
                    : Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            body = Json.MAPPER.createObjectNode();
        }
        if (status >= 200 && status < 300) {
            return body;
        }
        if (status >= 400 && status < 500 && status != 401 && status != 403) {
            String detail = body.path("detail").asText("the dispatcher refused the request");
            throw new HttpProblemException(Problem.of(Response.Status.fromStatusCode(status), detail), Map.of());
        }
        LOG.warnf("the dispatcher answered %d to ingest's sender-queue call: %s", status, body.path("detail").asText());
        throw unavailable("the delivery status cannot be read right now; retry later");
    }

    private static HttpProblemException unavailable(String detail) {
        return new HttpProblemException(Problem.of(Response.Status.SERVICE_UNAVAILABLE, detail),
                Map.of("Retry-After", "5"));
    }

    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

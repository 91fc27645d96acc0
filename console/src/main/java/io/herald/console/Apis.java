package io.herald.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The services' public HTTP APIs, called with the signed-in person's own credential as the bearer token. A refusal
 * becomes an {@link ApiException} with the service's own words (problem details {@code detail}, Matrix-style
 * {@code error}); the credential is never logged.
 */
@ApplicationScoped
public class Apis {

    private static final Logger LOG = Logger.getLogger(Apis.class);
    static final ObjectMapper JSON = new ObjectMapper();

    public enum Service {
        INGEST, RULES, DISPATCHER
    }

    private final ConsoleSettings settings;
    private final HttpClient client;

    Apis(ConsoleSettings settings) {
        this.settings = settings;
        this.client = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    }

    /** Where a service's API is; {@code ingestHere}: ingest's own URL as seen from this server. */
    String baseUrl(Service service, String ingestHere) {
        String url = switch (service) {
            case INGEST -> settings.ingestUrl().filter(u -> !u.isBlank()).orElse(ingestHere);
            case RULES -> settings.rulesUrl();
            case DISPATCHER -> settings.dispatcherUrl();
        };
        return url.replaceAll("/+$", "");
    }

    /** One call; the answer's JSON (an empty object for 204), or an {@link ApiException}. */
    public JsonNode call(String token, String baseUrl, String method, String path, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(settings.timeout())
                .header("Authorization", "Bearer " + token).header("Accept", "application/json");
        try {
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json").method(method,
                        HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode answer = parse(response.body());
            if (response.statusCode() >= 200 && response.statusCode() < 300) {
                return answer;
            }
            String detail = answer.path("detail").asText(answer.path("error").asText(""));
            throw new ApiException(response.statusCode(), detail.isEmpty() ? "the service answered "
                    + response.statusCode() : detail);
        } catch (IOException e) {
            LOG.warnf("the console could not reach %s: %s", baseUrl, e.toString());
            throw new ApiException(502, "the service at " + baseUrl + " cannot be reached right now");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(502, "interrupted");
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** A JSON answer as maps, lists and plain values, which templates read directly. */
    public static Object plain(JsonNode node) {
        return JSON.convertValue(node, Object.class);
    }

    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A query string of the non-blank parameters, starting with {@code ?} (or empty). */
    public static String query(Map<String, String> parameters) {
        StringBuilder query = new StringBuilder();
        new LinkedHashMap<>(parameters).forEach((name, value) -> {
            if (value != null && !value.isBlank()) {
                query.append(query.isEmpty() ? '?' : '&').append(name).append('=')
                        .append(URLEncoder.encode(value.trim(), StandardCharsets.UTF_8));
            }
        });
        return query.toString();
    }
}

package io.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON over HTTP to Herald's services; failures become {@link CliException}s with the exit code for their kind. */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    private Api() {
    }

    /** One path segment, percent-encoded ({@code @bot:example.org} → {@code %40bot%3Aexample.org}). */
    static String seg(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A query string from the non-null values, or "" when there are none. */
    static String query(Map<String, ?> params) {
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> {
            if (v != null) {
                q.append(q.length() == 0 ? '?' : '&').append(seg(k)).append('=').append(seg(String.valueOf(v)));
            }
        });
        return q.toString();
    }

    static Map<String, Object> body(Object... keyValues) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                body.put((String) keyValues[i], keyValues[i + 1]);
            }
        }
        return body;
    }

    /** The answer's JSON (an empty object for an empty answer). */
    static JsonNode call(String method, String url, Object body, String bearer) {
        return call(method, url, body, bearer, null);
    }

    /** The answer's JSON (an empty object for an empty answer), sending {@code Idempotency-Key} when given. */
    static JsonNode call(String method, String url, Object body, String bearer, String idempotencyKey) {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(90))
                    .header("Accept", "application/json");
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.USAGE, "invalid URL " + url + ": " + e.getMessage());
        }
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        try {
            if (body != null) {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        HttpResponse<String> response;
        try {
            response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CliException(CliException.SERVER_ERROR, "cannot reach " + origin(url) + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.SERVER_ERROR, "interrupted");
        }
        JsonNode json = parse(response.body());
        int status = response.statusCode();
        if (status >= 400) {
            String message = method + " " + url.replaceAll("\\?.*", "") + ": HTTP " + status + describe(json, response);
            throw new CliException(status >= 500 ? CliException.SERVER_ERROR : CliException.CLIENT_ERROR, message);
        }
        return json;
    }

    private static String describe(JsonNode json, HttpResponse<String> response) {
        StringBuilder s = new StringBuilder();
        if (json.hasNonNull("errcode")) {
            s.append(' ').append(json.get("errcode").asText());
        }
        for (String field : new String[] {"detail", "error", "title"}) {
            if (json.hasNonNull(field)) {
                s.append(": ").append(json.get(field).asText());
                break;
            }
        }
        for (JsonNode error : json.path("errors")) {
            s.append("\n  ").append(error.path("field").asText()).append(": ").append(error.path("message").asText());
        }
        response.headers().firstValue("Retry-After").ifPresent(r -> s.append(" (retry after ").append(r).append(" s)"));
        return s.toString();
    }

    private static String describe(IOException e) {
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "timed out";
        }
        if (e instanceof java.net.ConnectException) {
            return "connection refused or host unreachable";
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return "TLS failure (" + e.getMessage() + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode().put("detail", body.length() > 200 ? body.substring(0, 200) + "…" : body);
        }
    }

    private static String origin(String url) {
        try {
            URI uri = URI.create(url);
            return uri.getScheme() + "://" + uri.getAuthority();
        } catch (IllegalArgumentException e) {
            return url;
        }
    }
}

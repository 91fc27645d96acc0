package io.herald.ingest.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.common.Json;
import io.herald.ingest.HttpProblemException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;

final class Payloads {
    private Payloads() {
    }

    static JsonNode object(byte[] body) {
        if (body == null || body.length == 0) {
            throw HttpProblemException.of(Response.Status.BAD_REQUEST, "a JSON object is required");
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw HttpProblemException.of(Response.Status.BAD_REQUEST,
                    "request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw HttpProblemException.of(Response.Status.BAD_REQUEST, "request body is not readable JSON");
        }
        if (json == null || !json.isObject()) {
            throw HttpProblemException.of(Response.Status.BAD_REQUEST, "a JSON object is required");
        }
        return json;
    }

    /** A scalar as text; objects and arrays as their JSON; null when absent. */
    static String text(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return null;
        }
        return node.isValueNode() ? node.asText() : node.toString();
    }
}

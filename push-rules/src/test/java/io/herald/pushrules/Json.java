package io.herald.pushrules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Test helper: JSON with single quotes and unquoted names allowed, for readable tables. */
public final class Json {
    private static final ObjectMapper RELAXED = new ObjectMapper()
            .configure(JsonParser.Feature.ALLOW_SINGLE_QUOTES, true)
            .configure(JsonParser.Feature.ALLOW_UNQUOTED_FIELD_NAMES, true);

    private Json() {
    }

    public static JsonNode parse(String relaxedJson) {
        try {
            return RELAXED.readTree(relaxedJson);
        } catch (Exception e) {
            throw new IllegalArgumentException("bad test JSON: " + relaxedJson, e);
        }
    }

    /** Relaxed JSON to strict JSON text. */
    public static String strict(String relaxedJson) {
        return parse(relaxedJson).toString();
    }
}

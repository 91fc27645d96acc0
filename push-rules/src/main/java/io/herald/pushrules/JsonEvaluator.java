package io.herald.pushrules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.pushrules.defaults.ServerDefaults;
import java.util.Objects;

/**
 * The JSON evaluation contract shared by the CLI ({@code EvaluateCli}) and the rules-service's
 * {@code POST /v1/push-rules/evaluate}.
 *
 * <p>Request: {@code {"event": {...}, "user_id": "@u:hs", "display_name": "..."|null, "room_member_count": N,
 * "power_levels": {...content of m.room.power_levels...}|null, "ruleset": {...global ruleset...}|null,
 * "defaults": "spec"|"legacy"}}. A null or absent ruleset means the server defaults of the profile (default
 * {@code spec}) for that user; a given ruleset ({@code global} object, or {@code {"global": {...}}}) is evaluated as
 * it is.
 *
 * <p>Response: {@code {"actions": [...], "tweaks": {...}, "rule_id": "..."|null, "kind": "..."|null}}, or
 * {@code {"error": "..."}} from the {@code ...OrError} / {@link #evaluateLine} variants.
 */
public final class JsonEvaluator {

    private static final JsonEvaluator SHARED = new JsonEvaluator(RuleSetCompiler.shared());

    /** One JSON value per line: trailing content after it is an error, not silently ignored. */
    private static final ObjectReader LINE_READER = PushRulesJson.MAPPER.readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final RuleSetCompiler compiler;

    public JsonEvaluator(RuleSetCompiler compiler) {
        this.compiler = Objects.requireNonNull(compiler, "compiler");
    }

    /** An evaluator using {@link RuleSetCompiler#shared()}. */
    public static JsonEvaluator shared() {
        return SHARED;
    }

    /**
     * Evaluates a request.
     *
     * @throws IllegalArgumentException (or its subclass {@link InvalidPushRuleException}) for a malformed request;
     *                                  the message says what is wrong
     */
    public EvaluationResult evaluate(JsonNode request) {
        if (request == null || !request.isObject()) {
            throw new IllegalArgumentException("the request must be a JSON object");
        }
        JsonNode event = request.get("event");
        if (event == null || !event.isObject()) {
            throw new IllegalArgumentException("event is required and must be a JSON object");
        }
        JsonNode uid = request.get("user_id");
        if (uid == null || !uid.isTextual() || uid.textValue().isEmpty()) {
            throw new IllegalArgumentException("user_id is required and must be a non-empty string");
        }
        String displayName = null;
        JsonNode dn = request.get("display_name");
        if (dn != null && !dn.isNull()) {
            if (!dn.isTextual()) {
                throw new IllegalArgumentException("display_name must be a string or null");
            }
            displayName = dn.textValue();
        }
        JsonNode count = request.get("room_member_count");
        if (count == null || !count.isIntegralNumber() || !count.canConvertToLong() || count.longValue() < 0) {
            throw new IllegalArgumentException("room_member_count is required and must be a non-negative integer");
        }
        JsonNode pl = request.get("power_levels");
        if (pl != null && !pl.isNull() && !pl.isObject()) {
            throw new IllegalArgumentException("power_levels must be a JSON object or null");
        }
        DefaultsProfile profile = DefaultsProfile.SPEC;
        JsonNode defaults = request.get("defaults");
        if (defaults != null && !defaults.isNull()) {
            if (!defaults.isTextual()) {
                throw new IllegalArgumentException("defaults must be \"spec\", \"legacy\" or \"synapse\"");
            }
            profile = DefaultsProfile.fromWireName(defaults.textValue());
        }
        String userId = uid.textValue();
        JsonNode rs = request.get("ruleset");
        PushRuleSet ruleset;
        if (rs == null || rs.isNull()) {
            ruleset = ServerDefaults.ruleset(profile, userId);
        } else {
            ruleset = PushRulesJson.parseRuleset(rs);
        }
        CompiledRuleSet compiled = compiler.compile(ruleset, userId);
        return compiled.evaluate(PushEvent.of(event), RoomContext.of(count.longValue(), pl),
                Recipient.of(userId, displayName));
    }

    /** {@link #evaluate} as the response object, or {@code {"error": "..."}} for a malformed request. */
    public ObjectNode evaluateOrError(JsonNode request) {
        try {
            return evaluate(request).toJson();
        } catch (IllegalArgumentException e) {
            return error(e.getMessage());
        }
    }

    /** One JSON Lines step: a request line in, a response line out (never throws for bad input). */
    public String evaluateLine(String line) {
        JsonNode request;
        try {
            request = LINE_READER.readValue(line);
        } catch (JsonProcessingException e) {
            return error("invalid JSON: " + e.getOriginalMessage()).toString();
        }
        if (request == null || request.isMissingNode()) {
            return error("empty input").toString();
        }
        try {
            return evaluate(request).toJsonString();
        } catch (IllegalArgumentException e) {
            return error(e.getMessage()).toString();
        } catch (RuntimeException e) {
            // Never let one line end the run; this is a bug, so say what it was.
            return error("internal error: " + e).toString();
        }
    }

    private static ObjectNode error(String message) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("error", message == null ? "invalid request" : message);
        return o;
    }
}

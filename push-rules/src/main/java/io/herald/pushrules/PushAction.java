package io.herald.pushrules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A push-rule action: {@code "notify"}, {@code {"set_tweak": name, "value": v}}, or anything else kept verbatim
 * (the historical {@code dont_notify}/{@code coalesce}, which evaluation ignores, and unknown actions).
 */
public sealed interface PushAction permits PushAction.Notify, PushAction.SetTweak, PushAction.Other {

    Notify NOTIFY = Notify.INSTANCE;

    /** The action in Matrix JSON form. */
    JsonNode toJson();

    /** {@code "notify"}. */
    enum Notify implements PushAction {
        INSTANCE;

        @Override
        public JsonNode toJson() {
            return JsonNodeFactory.instance.textNode("notify");
        }

        @Override
        public String toString() {
            return "notify";
        }
    }

    /**
     * {@code set_tweak}; {@code value} is {@code null} when absent (for {@code highlight} that means {@code true}).
     */
    record SetTweak(String tweak, JsonNode value) implements PushAction {
        public SetTweak {
            Objects.requireNonNull(tweak, "tweak");
            value = value == null || value.isNull() || value.isMissingNode() ? null : value.deepCopy();
        }

        /** The effective tweak value: valueless {@code highlight} is {@code true}. */
        public JsonNode effectiveValue() {
            if (value == null) {
                return "highlight".equals(tweak) ? JsonNodeFactory.instance.booleanNode(true)
                        : JsonNodeFactory.instance.nullNode();
            }
            return value;
        }

        @Override
        public JsonNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("set_tweak", tweak);
            if (value != null) {
                o.set("value", value.deepCopy());
            }
            return o;
        }
    }

    /** Any other action, kept for round trips. */
    record Other(JsonNode json) implements PushAction {
        public Other {
            Objects.requireNonNull(json, "json");
            json = json.deepCopy();
        }

        /** {@code dont_notify} or {@code coalesce}: removed from the spec (v1.7), MUST be ignored. */
        public boolean isHistorical() {
            return json.isTextual() && ("dont_notify".equals(json.textValue()) || "coalesce".equals(json.textValue()));
        }

        @Override
        public JsonNode toJson() {
            return json.deepCopy();
        }
    }

    static SetTweak sound(String sound) {
        return new SetTweak("sound", JsonNodeFactory.instance.textNode(sound));
    }

    /** {@code {"set_tweak": "highlight"}} (no value, meaning true). */
    static SetTweak highlight() {
        return new SetTweak("highlight", null);
    }

    static SetTweak highlight(boolean value) {
        return new SetTweak("highlight", JsonNodeFactory.instance.booleanNode(value));
    }

    /** Reads one action; never fails (unrecognised shapes become {@link Other}). */
    static PushAction fromJson(JsonNode node) {
        if (node.isTextual() && "notify".equals(node.textValue())) {
            return NOTIFY;
        }
        if (node.isObject()) {
            JsonNode t = node.get("set_tweak");
            if (t != null && t.isTextual()) {
                return new SetTweak(t.textValue(), node.get("value"));
            }
        }
        return new Other(node);
    }
}

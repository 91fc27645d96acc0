package io.herald.pushrules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A push condition as stored and served: its {@code kind} plus its parameters, kept as the JSON object so that
 * unknown kinds and extra properties survive a round trip. Immutable (the JSON is copied in and out).
 */
public final class PushCondition {

    public static final String EVENT_MATCH = "event_match";
    public static final String EVENT_PROPERTY_IS = "event_property_is";
    public static final String EVENT_PROPERTY_CONTAINS = "event_property_contains";
    public static final String CONTAINS_DISPLAY_NAME = "contains_display_name";
    public static final String ROOM_MEMBER_COUNT = "room_member_count";
    public static final String SENDER_NOTIFICATION_PERMISSION = "sender_notification_permission";

    private final ObjectNode json;
    private final String kind;

    private PushCondition(ObjectNode json) {
        this.json = json;
        JsonNode k = json.get("kind");
        this.kind = k != null && k.isTextual() ? k.textValue() : "";
    }

    /** Wraps a condition object (copied). Never fails for an object; a missing kind reads as {@code ""}. */
    public static PushCondition fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidPushRuleException("a condition must be a JSON object");
        }
        return new PushCondition(((ObjectNode) node).deepCopy());
    }

    private static ObjectNode base(String kind) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("kind", kind);
        return o;
    }

    public static PushCondition eventMatch(String key, String pattern) {
        ObjectNode o = base(EVENT_MATCH);
        o.put("key", key);
        o.put("pattern", pattern);
        return new PushCondition(o);
    }

    /** {@code value}: a String, Integer/Long, Boolean or {@code null}. */
    public static PushCondition eventPropertyIs(String key, Object value) {
        ObjectNode o = base(EVENT_PROPERTY_IS);
        o.put("key", key);
        o.set("value", PushRulesJson.MAPPER.valueToTree(value));
        return new PushCondition(o);
    }

    /** {@code value}: a String, Integer/Long, Boolean or {@code null}. */
    public static PushCondition eventPropertyContains(String key, Object value) {
        ObjectNode o = base(EVENT_PROPERTY_CONTAINS);
        o.put("key", key);
        o.set("value", PushRulesJson.MAPPER.valueToTree(value));
        return new PushCondition(o);
    }

    public static PushCondition containsDisplayName() {
        return new PushCondition(base(CONTAINS_DISPLAY_NAME));
    }

    /** {@code is}: e.g. {@code "2"}, {@code ">=10"}. */
    public static PushCondition roomMemberCount(String is) {
        ObjectNode o = base(ROOM_MEMBER_COUNT);
        o.put("is", is);
        return new PushCondition(o);
    }

    public static PushCondition senderNotificationPermission(String key) {
        ObjectNode o = base(SENDER_NOTIFICATION_PERMISSION);
        o.put("key", key);
        return new PushCondition(o);
    }

    public String kind() {
        return kind;
    }

    /** The {@code key} if it is a string, else {@code null}. */
    public String key() {
        return text("key");
    }

    /** The {@code pattern} if it is a string, else {@code null}. */
    public String pattern() {
        return text("pattern");
    }

    /** The {@code is} if it is a string, else {@code null}. */
    public String is() {
        return text("is");
    }

    /** Whether a {@code value} property is present (it may be JSON {@code null}). */
    public boolean hasValue() {
        return json.has("value");
    }

    /** The {@code value} (a copy; JSON {@code null} as a NullNode), or {@code null} when absent. */
    public JsonNode value() {
        JsonNode v = json.get("value");
        return v == null ? null : v.deepCopy();
    }

    /** Any property (a copy), or {@code null}. */
    public JsonNode get(String property) {
        JsonNode v = json.get(property);
        return v == null ? null : v.deepCopy();
    }

    private String text(String property) {
        JsonNode v = json.get(property);
        return v != null && v.isTextual() ? v.textValue() : null;
    }

    /** The condition in Matrix JSON form (a copy). */
    public ObjectNode toJson() {
        return json.deepCopy();
    }

    /** A copy with one property replaced (used to template user-specific values). */
    PushCondition with(String property, JsonNode value) {
        ObjectNode o = json.deepCopy();
        o.set(property, value);
        return new PushCondition(o);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PushCondition && ((PushCondition) o).json.equals(json);
    }

    @Override
    public int hashCode() {
        return json.hashCode();
    }

    @Override
    public String toString() {
        return json.toString();
    }
}

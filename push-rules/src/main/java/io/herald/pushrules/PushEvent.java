package io.herald.pushrules;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.pushrules.event.EventKey;
import io.herald.pushrules.event.FlatValue;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An event prepared for push-rule evaluation. Build one per event and share it across every user/member the event
 * is evaluated for.
 *
 * <p>The event is flattened once, lazily: the first lookup of a dotted key ({@code content.m\.relates_to.rel_type},
 * canonical form, see {@link EventKey}) walks the JSON and memoises the value under that key, with its derived
 * values (lower-cased string, word tokens, string set of a long array); every later lookup of that key for this
 * event, by any rule of any user, is one hash lookup. Properties no rule asks about (signatures, {@code unsigned},
 * large arrays) are never converted. Paths address object properties only; arrays are leaves.
 *
 * <p>Thread-safe: the memo is a concurrent map and memoised values are immutable apart from idempotent caches.
 * The JSON must not be modified after {@link #of}.
 */
public final class PushEvent {

    /** Marks a memoised absent key. */
    private static final FlatValue ABSENT = FlatValue.ofString("\u0000absent");

    private final JsonNode json;
    private final ConcurrentHashMap<String, FlatValue> memo = new ConcurrentHashMap<>(16);
    private final String sender;
    private final String roomId;
    private final boolean contentHasMentions;

    private PushEvent(JsonNode json) {
        this.json = json;
        JsonNode s = json.get("sender");
        this.sender = s != null && s.isTextual() ? s.textValue() : null;
        JsonNode r = json.get("room_id");
        this.roomId = r != null && r.isTextual() ? r.textValue() : null;
        JsonNode content = json.get("content");
        this.contentHasMentions = content != null && content.isObject() && content.has("m.mentions");
    }

    /** Wraps an event (a JSON object). */
    public static PushEvent of(JsonNode event) {
        Objects.requireNonNull(event, "event");
        if (!event.isObject()) {
            throw new IllegalArgumentException("event must be a JSON object");
        }
        return new PushEvent(event);
    }

    /** Parses an event given as JSON text. */
    public static PushEvent parse(String json) {
        try {
            return of(PushRulesJson.MAPPER.readTree(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("event is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The value at a compiled key, or {@code null} when the property is absent or is an object (objects are not
     * values; their properties are).
     */
    public FlatValue get(EventKey key) {
        FlatValue v = memo.get(key.canonical());
        if (v == null) {
            v = resolve(key);
            FlatValue prev = memo.putIfAbsent(key.canonical(), v);
            if (prev != null) {
                v = prev;
            }
        }
        return v == ABSENT ? null : v;
    }

    private FlatValue resolve(EventKey key) {
        JsonNode node = json;
        for (int i = 0, n = key.length(); i < n; i++) {
            if (!node.isObject()) {
                return ABSENT;
            }
            node = node.get(key.name(i));
            if (node == null) {
                return ABSENT;
            }
        }
        return node.isObject() ? ABSENT : FlatValue.of(node);
    }

    /** The value at a dotted path as written in a rule (escapes resolved), or {@code null}. */
    public FlatValue property(String dottedPath) {
        return get(EventKey.of(dottedPath));
    }

    /** The event's {@code sender} if it is a string. */
    public String sender() {
        return sender;
    }

    /** The event's {@code room_id} if it is a string. */
    public String roomId() {
        return roomId;
    }

    /** Whether {@code content} has an {@code m.mentions} property (any value): disables the legacy mention rules. */
    public boolean contentHasMentions() {
        return contentHasMentions;
    }

    /** The event as given. */
    public JsonNode json() {
        return json;
    }
}

package io.herald.pushrules.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * One value of a flattened event, or the value of an {@code event_property_is/contains} condition.
 *
 * <p>Only the non-compound canonical-JSON values can ever be equal: strings (compared case-sensitively), integers in
 * [-(2^53)+1, 2^53-1], booleans and {@code null}. Floats, out-of-range integers and objects are {@link Type#OTHER}
 * and never equal anything. Arrays keep their elements (compound elements become {@code OTHER}; nested arrays are
 * not flattened).
 *
 * <p>Derived values (the lower-cased string, a hash set of a long array's strings) are memoised on first use;
 * instances are safe to share between threads.
 */
public final class FlatValue {

    /** The JSON type as far as push rules care. */
    public enum Type { STRING, INTEGER, BOOLEAN, NULL, ARRAY, OTHER }

    /** Canonical JSON's integer range. */
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    public static final FlatValue NULL = new FlatValue(Type.NULL, null, 0, null);
    public static final FlatValue TRUE = new FlatValue(Type.BOOLEAN, null, 1, null);
    public static final FlatValue FALSE = new FlatValue(Type.BOOLEAN, null, 0, null);
    public static final FlatValue OTHER = new FlatValue(Type.OTHER, null, 0, null);

    private static final int SET_THRESHOLD = 8;
    private static final FlatValue[] NO_ELEMENTS = new FlatValue[0];

    private final Type type;
    private final String string;
    private final long number;
    private final FlatValue[] elements;
    private String lowered;
    private Set<String> stringSet;
    private WordTokens tokens;
    private int wordChecks;

    private FlatValue(Type type, String string, long number, FlatValue[] elements) {
        this.type = type;
        this.string = string;
        this.number = number;
        this.elements = elements;
    }

    public static FlatValue ofString(String s) {
        return new FlatValue(Type.STRING, s, 0, null);
    }

    public static FlatValue ofInteger(long value) {
        return value >= -MAX_SAFE_INTEGER && value <= MAX_SAFE_INTEGER
                ? new FlatValue(Type.INTEGER, null, value, null) : OTHER;
    }

    /** A scalar event value (objects and floats become {@link #OTHER}); arrays become {@link Type#ARRAY}. */
    public static FlatValue of(JsonNode node) {
        if (node.isArray()) {
            int size = node.size();
            if (size == 0) {
                return new FlatValue(Type.ARRAY, null, 0, NO_ELEMENTS);
            }
            FlatValue[] els = new FlatValue[size];
            for (int i = 0; i < size; i++) {
                JsonNode el = node.get(i);
                els[i] = el.isContainerNode() ? OTHER : scalar(el);
            }
            return new FlatValue(Type.ARRAY, null, 0, els);
        }
        return node.isContainerNode() ? OTHER : scalar(node);
    }

    private static FlatValue scalar(JsonNode node) {
        if (node.isTextual()) {
            return ofString(node.textValue());
        }
        if (node.isBoolean()) {
            return node.booleanValue() ? TRUE : FALSE;
        }
        if (node.isNull()) {
            return NULL;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return ofInteger(node.longValue());
        }
        return OTHER;
    }

    /**
     * The value of an {@code event_property_is/contains} condition, or {@code null} when it is not a non-compound
     * canonical JSON value (a float, an out-of-range integer, an array or an object).
     */
    public static FlatValue conditionValue(JsonNode node) {
        if (node == null || node.isContainerNode()) {
            return null;
        }
        FlatValue v = scalar(node);
        return v == OTHER ? null : v;
    }

    public Type type() {
        return type;
    }

    public boolean isString() {
        return type == Type.STRING;
    }

    /** The string, or {@code null} when this is not a string. */
    public String string() {
        return string;
    }

    /** The string lower-cased with {@code Locale.ROOT}, memoised; {@code null} when this is not a string. */
    public String lowered() {
        String l = lowered;
        if (l == null && string != null) {
            l = string.toLowerCase(Locale.ROOT);
            lowered = l;
        }
        return l;
    }

    /**
     * The word tokens of the lower-cased string, once enough word-mode searches have been made on this value to pay
     * for building them; {@code null} until then (and for non-strings). Each call counts as one search.
     */
    public WordTokens wordTokensIfWorthIt() {
        WordTokens t = tokens;
        if (t != null) {
            return t;
        }
        if (string == null || ++wordChecks < 3 + string.length() / 128) {
            return null;
        }
        t = new WordTokens(lowered()); // immutable, final fields: safe to publish through a race
        tokens = t;
        return t;
    }

    /** Exact equality of two scalars (no type coercion); {@code OTHER}, arrays and objects are never equal. */
    public boolean sameScalar(FlatValue other) {
        if (type != other.type) {
            return false;
        }
        switch (type) {
            case STRING:
                return string.equals(other.string);
            case INTEGER:
            case BOOLEAN:
                return number == other.number;
            case NULL:
                return true;
            default:
                return false;
        }
    }

    /** For arrays: whether some element equals {@code value} exactly. */
    public boolean arrayContains(FlatValue value) {
        if (elements == null) {
            return false;
        }
        if (value.type == Type.STRING) {
            return arrayContainsString(value.string);
        }
        for (FlatValue el : elements) {
            if (el.sameScalar(value)) {
                return true;
            }
        }
        return false;
    }

    /** For arrays: whether some element is the string {@code s} (hash lookup for long arrays). */
    public boolean arrayContainsString(String s) {
        if (elements == null) {
            return false;
        }
        if (elements.length <= SET_THRESHOLD) {
            for (FlatValue el : elements) {
                if (el.type == Type.STRING && el.string.equals(s)) {
                    return true;
                }
            }
            return false;
        }
        Set<String> set = stringSet;
        if (set == null) {
            HashSet<String> tmp = new HashSet<>(elements.length * 2);
            for (FlatValue el : elements) {
                if (el.type == Type.STRING) {
                    tmp.add(el.string);
                }
            }
            set = Set.copyOf(tmp); // immutable: safe to publish without a lock
            stringSet = set;
        }
        return set.contains(s);
    }

    /** For arrays: whether any element is a string (i.e. a string "contains" check could ever be true). */
    public boolean arrayHasString() {
        if (elements != null) {
            for (FlatValue el : elements) {
                if (el.type == Type.STRING) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Back to JSON (arrays included; {@code OTHER} becomes {@code null}, it is only used for diagnostics). */
    public JsonNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (type) {
            case STRING:
                return f.textNode(string);
            case INTEGER:
                return f.numberNode(number);
            case BOOLEAN:
                return BooleanNode.valueOf(number != 0);
            case ARRAY:
                var arr = f.arrayNode(elements.length);
                for (FlatValue el : elements) {
                    arr.add(el.toJson());
                }
                return arr;
            default:
                return NullNode.getInstance();
        }
    }

    @Override
    public String toString() {
        return type + ":" + toJson();
    }
}

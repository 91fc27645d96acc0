package io.herald.pushrules.event;

import java.util.ArrayList;
import java.util.List;

/**
 * Matrix dot-separated property paths (appendix "Dot-separated property paths").
 *
 * <p>A path is split on {@code .}; inside a property name {@code \.} is a literal dot and {@code \\} a literal
 * backslash. Any other backslash is kept literally ({@code \x} stays backslash + {@code x}). Paths address object
 * properties only (no array indices).
 *
 * <p>The <em>canonical</em> form re-joins the segments escaping only {@code .} and {@code \}; events are flattened
 * with canonical keys, so two spellings of one path ({@code a\x} and {@code a\\x}) find the same property.
 */
public final class KeyPath {

    private KeyPath() {
    }

    /** Splits a dotted path into its property names, resolving {@code \.} and {@code \\}. */
    public static List<String> split(String dotted) {
        List<String> out = new ArrayList<>(4);
        StringBuilder current = new StringBuilder(dotted.length());
        int n = dotted.length();
        for (int i = 0; i < n; i++) {
            char c = dotted.charAt(i);
            if (c == '\\' && i + 1 < n && (dotted.charAt(i + 1) == '.' || dotted.charAt(i + 1) == '\\')) {
                current.append(dotted.charAt(++i));
            } else if (c == '.') {
                out.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        out.add(current.toString());
        return out;
    }

    /** Escapes one property name ({@code .} → {@code \.}, {@code \} → {@code \\}). */
    public static String escape(String name) {
        if (name.indexOf('.') < 0 && name.indexOf('\\') < 0) {
            return name;
        }
        StringBuilder sb = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** The canonical key of a dotted path, as used by {@link io.herald.pushrules.PushEvent#property(String)}. */
    public static String canonical(String dotted) {
        if (dotted.indexOf('\\') < 0) {
            return dotted;
        }
        List<String> parts = split(dotted);
        StringBuilder sb = new StringBuilder(dotted.length());
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                sb.append('.');
            }
            sb.append(escape(parts.get(i)));
        }
        return sb.toString();
    }
}

package io.herald.pushrules.glob;

import io.herald.pushrules.event.WordTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A compiled Matrix glob ({@code *} = any run of code points, {@code ?} = exactly one code point; every other
 * character is literal, there is no escape), matched case-insensitively.
 *
 * <p>Compilation lower-cases the pattern ({@code toLowerCase(Locale.ROOT)}), collapses runs of {@code *} and splits
 * it into the literal-or-{@code ?} segments between the stars. Matching never backtracks: the first segment is
 * anchored, middle segments are matched leftmost-first (which is optimal for star-separated segments), and the
 * last one is anchored at the end (whole-value mode) or at any word boundary (word mode). The cost is
 * O(length of value × length of the longest segment) at worst and usually O(length of value); there is no regex.
 *
 * <p>The {@code matches*} methods that take a {@code lowered} value expect it already lower-cased with
 * {@code toLowerCase(Locale.ROOT)} (events memoise that per value); {@link #matches(String, boolean)} does it.
 *
 * <p>Word mode ({@code content.body} semantics): the pattern must match a substring that starts and ends at a word
 * boundary. A boundary is the start or end of the value or any character outside {@code [A-Za-z0-9_]}; a pattern
 * whose own first (last) matched character is such a character needs nothing more on that side, so {@code @room}
 * matches in {@code hello@room}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Glob {

    private final String pattern;
    private final Segment[] segments;
    private final boolean hasStar;
    private final String leadingWord;
    private final int leadingWordHash;
    private final boolean allWord;

    private Glob(String pattern, Segment[] segments, boolean hasStar) {
        this.pattern = pattern;
        this.segments = segments;
        this.hasStar = hasStar;
        String lead = null;
        boolean all = false;
        if (!hasStar && segments[0].literal != null && !pattern.isEmpty() && isWordChar(pattern.charAt(0))) {
            int k = 0;
            while (k < pattern.length() && isWordChar(pattern.charAt(k))) {
                k++;
            }
            lead = pattern.substring(0, k);
            all = k == pattern.length();
        }
        this.leadingWord = lead;
        this.leadingWordHash = lead == null ? 0 : lead.hashCode();
        this.allWord = all;
    }

    /** Compiles a glob. The pattern is lower-cased here; a {@code null} pattern is rejected. */
    public static Glob compile(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        String lowered = pattern.toLowerCase(Locale.ROOT);
        List<Segment> segs = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean hasQuestion = false;
        boolean star = false;
        int i = 0;
        while (i < lowered.length()) {
            int cp = lowered.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '*') {
                star = true;
                // A run of stars is one star: the segment before it is closed once (empty for a leading star).
                segs.add(Segment.of(current.toString(), hasQuestion));
                current.setLength(0);
                hasQuestion = false;
                while (i < lowered.length() && lowered.charAt(i) == '*') {
                    i++;
                }
            } else {
                if (cp == '?') {
                    hasQuestion = true;
                }
                current.appendCodePoint(cp);
            }
        }
        segs.add(Segment.of(current.toString(), hasQuestion));
        return new Glob(lowered, segs.toArray(new Segment[0]), star);
    }

    /** The lower-cased source pattern. */
    public String pattern() {
        return pattern;
    }

    /** True if the pattern has no wildcard at all (matching is then a plain string comparison or search). */
    public boolean isLiteral() {
        return !hasStar && segments[0].literal != null;
    }

    /**
     * Word-mode match using the value's word tokens (maximal runs of {@code [a-z0-9_]}), when known: a literal
     * pattern that starts with a word character can only match where its leading word is a whole token, and a
     * pattern made only of word characters matches exactly when it is a token. {@code tokens} may be {@code null}.
     */
    public boolean matchesWords(String lowered, WordTokens tokens) {
        if (tokens != null && leadingWord != null) {
            if (!tokens.contains(leadingWord, leadingWordHash)) {
                return false;
            }
            if (allWord) {
                return true;
            }
        }
        return matchesWords(lowered);
    }

    /** Whether {@link #matchesWords(String, WordTokens)} can use word tokens for this pattern. */
    public boolean usesWordTokens() {
        return leadingWord != null;
    }

    /** Convenience: lower-cases {@code value} and matches it in whole-value ({@code words=false}) or word mode. */
    public boolean matches(String value, boolean words) {
        String lowered = value.toLowerCase(Locale.ROOT);
        return words ? matchesWords(lowered) : matchesWhole(lowered);
    }

    /** Whole-value match against an already lower-cased value. */
    public boolean matchesWhole(String lowered) {
        int n = lowered.length();
        if (!hasStar) {
            Segment only = segments[0];
            if (only.literal != null) {
                return lowered.equals(only.literal);
            }
            return only.matchAt(lowered, 0) == n;
        }
        int p = 0;
        Segment first = segments[0];
        if (!first.isEmpty()) {
            p = first.matchAt(lowered, 0);
            if (p < 0) {
                return false;
            }
        }
        int last = segments.length - 1;
        for (int k = 1; k < last; k++) {
            Segment seg = segments[k];
            int s = seg.find(lowered, p);
            if (s < 0) {
                return false;
            }
            p = seg.matchAt(lowered, s);
        }
        Segment tail = segments[last];
        if (tail.isEmpty()) {
            return true;
        }
        int start = tail.matchBackward(lowered, n);
        return start >= p;
    }

    /** Word-mode match ({@code content.body} semantics) against an already lower-cased value. */
    public boolean matchesWords(String lowered) {
        if (pattern.isEmpty()) {
            // An empty pattern would otherwise match at every boundary; like ruma, it matches only an empty value.
            return lowered.isEmpty();
        }
        if (!hasStar) {
            Segment only = segments[0];
            int from = 0;
            while (true) {
                int s = only.find(lowered, from);
                if (s < 0) {
                    return false;
                }
                if (startsWord(lowered, s) && endsWord(lowered, only.matchAt(lowered, s))) {
                    return true;
                }
                from = s + 1;
            }
        }
        int p = 0;
        Segment first = segments[0];
        if (!first.isEmpty()) {
            // The leftmost valid start is optimal: every later start ends no earlier.
            int from = 0;
            while (true) {
                int s = first.find(lowered, from);
                if (s < 0) {
                    return false;
                }
                if (startsWord(lowered, s)) {
                    p = first.matchAt(lowered, s);
                    break;
                }
                from = s + 1;
            }
        }
        int last = segments.length - 1;
        for (int k = 1; k < last; k++) {
            Segment seg = segments[k];
            int s = seg.find(lowered, p);
            if (s < 0) {
                return false;
            }
            p = seg.matchAt(lowered, s);
        }
        Segment tail = segments[last];
        if (tail.isEmpty()) {
            return true;
        }
        int from = p;
        while (true) {
            int s = tail.find(lowered, from);
            if (s < 0) {
                return false;
            }
            if (endsWord(lowered, tail.matchAt(lowered, s))) {
                return true;
            }
            from = s + 1;
        }
    }

    /** True for the ASCII word characters {@code [A-Za-z0-9_]}; everything else is a word boundary. */
    public static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    /** A match may start at {@code s}: start of value, after a boundary character, or on one. */
    static boolean startsWord(String v, int s) {
        return s == 0 || s >= v.length() || !isWordChar(v.charAt(s - 1)) || !isWordChar(v.charAt(s));
    }

    /** A match may end at {@code e} (exclusive): end of value, before a boundary character, or after one. */
    static boolean endsWord(String v, int e) {
        return e >= v.length() || e == 0 || !isWordChar(v.charAt(e)) || !isWordChar(v.charAt(e - 1));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Glob && ((Glob) o).pattern.equals(pattern);
    }

    @Override
    public int hashCode() {
        return pattern.hashCode();
    }

    @Override
    public String toString() {
        return "Glob[" + pattern + "]";
    }

    /** The text between two stars: a literal string, or code points with {@code -1} for {@code ?}. */
    private static final class Segment {
        private static final int ANY = -1;

        final String literal;
        final int[] codePoints;

        private Segment(String literal, int[] codePoints) {
            this.literal = literal;
            this.codePoints = codePoints;
        }

        static Segment of(String text, boolean hasQuestion) {
            if (!hasQuestion) {
                return new Segment(text, null);
            }
            int[] cps = text.codePoints().map(cp -> cp == '?' ? ANY : cp).toArray();
            return new Segment(null, cps);
        }

        boolean isEmpty() {
            return literal != null && literal.isEmpty();
        }

        /** Matches this segment at {@code i}; returns the end index, or -1. */
        int matchAt(String v, int i) {
            if (literal != null) {
                return v.startsWith(literal, i) ? i + literal.length() : -1;
            }
            int n = v.length();
            int j = i;
            for (int cp : codePoints) {
                if (j >= n) {
                    return -1;
                }
                if (cp == ANY) {
                    j += (Character.isHighSurrogate(v.charAt(j)) && j + 1 < n
                            && Character.isLowSurrogate(v.charAt(j + 1))) ? 2 : 1;
                } else if (cp < Character.MIN_SUPPLEMENTARY_CODE_POINT) {
                    if (v.charAt(j) != cp) {
                        return -1;
                    }
                    j++;
                } else {
                    if (j + 1 >= n || v.charAt(j) != Character.highSurrogate(cp)
                            || v.charAt(j + 1) != Character.lowSurrogate(cp)) {
                        return -1;
                    }
                    j += 2;
                }
            }
            return j;
        }

        /** The first start {@code >= from} (on a code point boundary) where this segment matches, or -1. */
        int find(String v, int from) {
            if (literal != null) {
                return v.indexOf(literal, from);
            }
            int n = v.length();
            int firstChar = codePoints[0] != ANY && codePoints[0] < Character.MIN_SUPPLEMENTARY_CODE_POINT
                    ? codePoints[0] : -1;
            for (int i = Math.max(from, 0); i < n; i++) {
                if (firstChar >= 0 && v.charAt(i) != firstChar) {
                    continue;
                }
                if (i > 0 && Character.isLowSurrogate(v.charAt(i)) && Character.isHighSurrogate(v.charAt(i - 1))) {
                    continue; // inside a surrogate pair
                }
                if (matchAt(v, i) >= 0) {
                    return i;
                }
            }
            return -1;
        }

        /** Matches this segment so that it ends exactly at {@code end}; returns its start, or -1. */
        int matchBackward(String v, int end) {
            if (literal != null) {
                int start = end - literal.length();
                return start >= 0 && v.startsWith(literal, start) ? start : -1;
            }
            int j = end;
            for (int k = codePoints.length - 1; k >= 0; k--) {
                if (j <= 0) {
                    return -1;
                }
                int cp = codePoints[k];
                if (cp == ANY) {
                    j -= (j >= 2 && Character.isLowSurrogate(v.charAt(j - 1))
                            && Character.isHighSurrogate(v.charAt(j - 2))) ? 2 : 1;
                } else if (cp < Character.MIN_SUPPLEMENTARY_CODE_POINT) {
                    if (v.charAt(j - 1) != cp) {
                        return -1;
                    }
                    j--;
                } else {
                    if (j < 2 || v.charAt(j - 2) != Character.highSurrogate(cp)
                            || v.charAt(j - 1) != Character.lowSurrogate(cp)) {
                        return -1;
                    }
                    j -= 2;
                }
            }
            return j;
        }
    }
}

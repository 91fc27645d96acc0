package io.herald.pushrules.event;

import io.herald.pushrules.glob.Glob;
import java.util.HashSet;
import java.util.Set;

/**
 * The word tokens of a lower-cased string: its maximal runs of {@code [a-z0-9_]}, in a hash set with a small bloom
 * filter in front, so that "is this word a token?" usually costs one bit test. Immutable.
 */
public final class WordTokens {

    private final Set<String> set;
    private final long[] bloom;
    private final int mask;

    /** Tokenises an already lower-cased string. */
    public WordTokens(String lowered) {
        HashSet<String> s = new HashSet<>(Math.max(16, lowered.length() / 3));
        int n = lowered.length();
        int i = 0;
        while (i < n) {
            while (i < n && !Glob.isWordChar(lowered.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && Glob.isWordChar(lowered.charAt(i))) {
                i++;
            }
            if (i > start) {
                s.add(lowered.substring(start, i));
            }
        }
        int bits = Integer.highestOneBit(Math.max(256, Math.min(1 << 20, s.size() * 32)) - 1) << 1;
        long[] b = new long[bits >>> 6];
        int m = bits - 1;
        for (String t : s) {
            int h = spread(t.hashCode()) & m;
            b[h >>> 6] |= 1L << h;
        }
        this.set = s;
        this.bloom = b;
        this.mask = m;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16) ^ (h >>> 7);
    }

    /** Whether {@code word} (lower-cased; {@code hash} = its {@code hashCode()}) is one of the tokens. */
    public boolean contains(String word, int hash) {
        int h = spread(hash) & mask;
        if ((bloom[h >>> 6] & (1L << h)) == 0) {
            return false;
        }
        return set.contains(word);
    }

    /** The tokens (read-only view). */
    public Set<String> asSet() {
        return java.util.Collections.unmodifiableSet(set);
    }

    /** Number of distinct tokens. */
    public int size() {
        return set.size();
    }
}

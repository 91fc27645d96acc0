package io.herald.pushrules.glob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GlobTest {

    static Stream<Arguments> wholeValue() {
        return Stream.of(
                // pattern, value, expected
                Arguments.of("m.notice", "m.notice", true),
                Arguments.of("m.notice", "M.NOTICE", true),
                Arguments.of("M.Notice", "m.notice", true),
                Arguments.of("m.notice", "m.notice ", false),
                Arguments.of("m.notice", "xm.notice", false),
                Arguments.of("m.notice", "m.noticex", false),
                Arguments.of("", "", true),
                Arguments.of("", "a", false),
                Arguments.of("*", "", true),
                Arguments.of("*", "anything at all", true),
                Arguments.of("***", "x", true),
                Arguments.of("a**b", "ab", true),
                Arguments.of("a**b", "axxb", true),
                Arguments.of("a*", "a", true),
                Arguments.of("*a", "ba", true),
                Arguments.of("*a", "ab", false),
                Arguments.of("a*b*c", "aXbYc", true),
                Arguments.of("a*b*c", "aXcYb", false),
                Arguments.of("a*b*c", "abcbc", true),
                Arguments.of("a*bc", "abcbc", true),
                Arguments.of("a*a", "a", false),
                Arguments.of("a*a", "aa", true),
                Arguments.of("?", "", false),
                Arguments.of("?", "x", true),
                Arguments.of("?", "xy", false),
                Arguments.of("a?c", "abc", true),
                Arguments.of("a?c", "ac", false),
                Arguments.of("a?c", "abbc", false),
                // ? is one code point: an emoji outside the BMP is two UTF-16 units but one code point
                Arguments.of("?", "\uD83D\uDE00", true),
                Arguments.of("??", "\uD83D\uDE00", false),
                Arguments.of("a?c", "a\uD83D\uDE00c", true),
                Arguments.of("*?", "\uD83D\uDE00", true),
                Arguments.of("*??", "\uD83D\uDE00", false),
                Arguments.of("?*?", "\uD83D\uDE00\uD83D\uDE01", true),
                Arguments.of("x*?y", "x\uD83D\uDE00y", true),
                Arguments.of("\uD83D\uDE00", "\uD83D\uDE00", true),
                // * and ? match newlines; anchors are the whole value
                Arguments.of("a*b", "a\nb", true),
                Arguments.of("a?b", "a\nb", true),
                Arguments.of("foo", "foo\nbar", false),
                Arguments.of("bar", "foo\nbar", false),
                // everything but * and ? is literal, including \ [ ] . ^ $ ( )
                Arguments.of("[a]", "[a]", true),
                Arguments.of("[a]", "a", false),
                Arguments.of("a.c", "abc", false),
                Arguments.of("a.c", "a.c", true),
                Arguments.of("^a$", "^a$", true),
                Arguments.of("(a|b)", "a", false),
                Arguments.of("\\", "\\", true),
                Arguments.of("a\\*", "a\\bc", true), // backslash is literal, the star still a wildcard
                Arguments.of("a\\*", "a*", false),
                Arguments.of("a\\?", "a?", false),
                Arguments.of("a\\?", "a\\x", true),
                // Unicode lower-casing of both sides
                Arguments.of("ÉCOLE", "école", true),
                Arguments.of("привет", "ПРИВЕТ", true),
                Arguments.of("ärger*", "ÄRGERLICH", true));
    }

    @ParameterizedTest(name = "[{index}] ''{0}'' vs ''{1}'' -> {2}")
    @MethodSource("wholeValue")
    void matchesWholeValue(String pattern, String value, boolean expected) {
        assertEquals(expected, Glob.compile(pattern).matches(value, false));
    }

    static Stream<Arguments> words() {
        return Stream.of(
                Arguments.of("cake", "I like cake!", true),
                Arguments.of("cake", "cake", true),
                Arguments.of("cake", "CAKE is a lie", true),
                Arguments.of("cake", "cheesecake", false),
                Arguments.of("cake", "cakes", false),
                Arguments.of("cake", "1cake", false),
                Arguments.of("cake", "_cake", false),
                Arguments.of("cake", "cake_", false),
                Arguments.of("cake", "-cake-", true),
                Arguments.of("cake", "cheesecake and cake", true), // second occurrence is a word
                Arguments.of("cake", "cheesecake and cakes", false),
                // word boundaries are any character outside [A-Za-z0-9_]: é, CJK, emoji, -, :, @
                Arguments.of("caf", "café", true),
                Arguments.of("cake", "日本cake日本", true),
                Arguments.of("cake", "\uD83D\uDE00cake\uD83D\uDE00", true),
                Arguments.of("alice", "@alice:example.org", true),
                // a pattern whose edge is itself a non-word character needs no boundary on that side
                Arguments.of("@room", "hello@room", true),
                Arguments.of("@room", "@room!", true),
                Arguments.of("@room", "@rooms", false),
                Arguments.of("foo ", "foo bar", true),
                Arguments.of("foo ", "xfoo bar", false),
                // multi-word patterns and wildcards spanning words
                Arguments.of("hello world", "say hello world!", true),
                Arguments.of("ex*ple", "An exciting triple-whammy", true),
                Arguments.of("ex*ple", "An exciting triples", false),
                Arguments.of("c?ke", "a coke here", true),
                Arguments.of("c?ke", "a cokes here", false),
                Arguments.of("*cake", "cheesecake!", true),
                Arguments.of("cake*", "cakes are great", true),
                Arguments.of("cake*", "cheesecakes", false),
                Arguments.of("*", "", true),
                Arguments.of("*", "anything", true),
                Arguments.of("a*b", "a\nb", true),
                Arguments.of("?", "\uD83D\uDE00", true),
                Arguments.of("x?", "x\uD83D\uDE00y", true), // the emoji is a boundary after the match
                // empty pattern: never matches a non-empty body (would otherwise match everything)
                Arguments.of("", "anything", false),
                Arguments.of("", "", true));
    }

    @ParameterizedTest(name = "[{index}] ''{0}'' in ''{1}'' -> {2}")
    @MethodSource("words")
    void matchesWords(String pattern, String value, boolean expected) {
        assertEquals(expected, Glob.compile(pattern).matches(value, true));
    }

    @ParameterizedTest(name = "[{index}] ''{0}'' in ''{1}'' -> {2} (with word tokens)")
    @MethodSource("words")
    void matchesWordsWithTokenPrefilter(String pattern, String value, boolean expected) {
        io.herald.pushrules.event.FlatValue v = io.herald.pushrules.event.FlatValue.ofString(value);
        io.herald.pushrules.event.WordTokens tokens = null;
        for (int i = 0; i < 10 && tokens == null; i++) {
            tokens = v.wordTokensIfWorthIt();
        }
        org.junit.jupiter.api.Assertions.assertNotNull(tokens);
        assertEquals(expected, Glob.compile(pattern).matchesWords(v.lowered(), tokens));
    }

    @Test
    void wordTokensAreMaximalAsciiWordRunsOfTheLowerCasedValue() {
        io.herald.pushrules.event.FlatValue v = io.herald.pushrules.event.FlatValue.ofString(
                "Hello, WORLD_1 café-au-lait 日本cake @room");
        io.herald.pushrules.event.WordTokens tokens = null;
        for (int i = 0; i < 10 && tokens == null; i++) {
            tokens = v.wordTokensIfWorthIt();
        }
        assertEquals(java.util.Set.of("hello", "world_1", "caf", "au", "lait", "cake", "room"), tokens.asSet());
        assertTrue(tokens.contains("cake", "cake".hashCode()));
        assertFalse(tokens.contains("caff", "caff".hashCode()));
        assertFalse(tokens.contains("日本cake", "日本cake".hashCode()));
    }

    @Test
    void wordTokensOfALargeBodyAreExact() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 12_000; i++) {
            sb.append('w').append(i).append(i % 7 == 0 ? ", " : " ");
        }
        io.herald.pushrules.event.WordTokens tokens = new io.herald.pushrules.event.WordTokens(sb.toString());
        assertEquals(12_000, tokens.size());
        for (int i = 0; i < 12_000; i += 97) {
            assertTrue(tokens.contains("w" + i, ("w" + i).hashCode()));
            assertFalse(tokens.contains("x" + i, ("x" + i).hashCode()));
            assertFalse(tokens.contains("w" + i + "0000", ("w" + i + "0000").hashCode()));
        }
    }

    private static final int SIXTY_FOUR_KIB = 64 * 1024;

    @Test
    void hostilePatternOn64KiBBodyIsCorrect() {
        String as = "a".repeat(SIXTY_FOUR_KIB);
        Glob hostile = Glob.compile("*a*a*a*a*b");
        assertFalse(hostile.matches(as, true));
        assertFalse(hostile.matches(as, false));
        assertTrue(hostile.matches(as + "b", false));
        assertTrue(hostile.matches(as + "b", true));
        assertTrue(hostile.matches(as + " b", true));
        assertFalse(hostile.matches(as + "bx", false));
        assertFalse(hostile.matches(as + "bx", true)); // "b" is followed by a word character
    }

    @Test
    void hostilePatternsWithQuestionMarksAndManyStars() {
        String body = "ab".repeat(SIXTY_FOUR_KIB / 2);
        assertFalse(Glob.compile("a*?a*?a*?a*?c").matches(body, false));
        assertFalse(Glob.compile("*a?a?a?a?a?a?c").matches(body, true));
        assertTrue(Glob.compile("a*b*a*b*a*b*a*b").matches(body, false));
        assertFalse(Glob.compile("*" + "a*".repeat(200) + "c").matches(body, true));
        assertTrue(Glob.compile("*" + "a*".repeat(200)).matches(body, true));
        String spaced = "ab ".repeat(SIXTY_FOUR_KIB / 3);
        assertFalse(Glob.compile("ab ab ab c").matches(spaced, true));
        assertTrue(Glob.compile("ab ab ab").matches(spaced, true));
    }

    @Test
    void literalPatternsAreRecognised() {
        assertTrue(Glob.compile("cake").isLiteral());
        assertFalse(Glob.compile("ca*ke").isLiteral());
        assertFalse(Glob.compile("ca?e").isLiteral());
    }

    @Test
    void compiledPatternIsLowerCased() {
        assertEquals("hello", Glob.compile("HeLLo").pattern());
    }
}

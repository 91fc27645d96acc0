package io.herald.pushrules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.pushrules.event.KeyPath;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyPathTest {

    @Test
    void splitsOnDotsAndResolvesEscapes() {
        assertEquals(List.of("content", "body"), KeyPath.split("content.body"));
        assertEquals(List.of("content", "m.relates_to", "rel_type"), KeyPath.split("content.m\\.relates_to.rel_type"));
        assertEquals(List.of("content", "m\\foo"), KeyPath.split("content.m\\\\foo"));
        // any other escape is kept literally
        assertEquals(List.of("a\\xb"), KeyPath.split("a\\xb"));
        assertEquals(List.of("a", "", "b"), KeyPath.split("a..b"));
        assertEquals(List.of("trailing\\"), KeyPath.split("trailing\\"));
    }

    @Test
    void canonicalFormIsTheSameForEquivalentSpellings() {
        assertEquals(KeyPath.canonical("content.a\\\\xb"), KeyPath.canonical("content.a\\xb"));
        assertEquals("content.m\\.mentions", KeyPath.canonical("content.m\\.mentions"));
        assertEquals("content.body", KeyPath.canonical("content.body"));
    }

    @Test
    void eventsAreFlattenedWithCanonicalKeys() {
        PushEvent e = PushEvent.of(Json.parse(
                "{content: {'m.relates_to': {rel_type: 'm.thread'}, 'a\\\\b': 'x', 'a\\\\xb': 'y', list: ['p']}}"));
        assertEquals("m.thread", e.property("content.m\\.relates_to.rel_type").string());
        assertEquals("x", e.property("content.a\\\\b").string());
        assertEquals("y", e.property("content.a\\xb").string());
        assertEquals(null, e.property("content.list.0"));
    }
}

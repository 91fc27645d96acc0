package io.herald.common;

import java.util.Map;

/**
 * A Matrix-shaped event as push rules see it: {@code type}, {@code sender}, {@code content}, optional
 * {@code state_key} and {@code event_id}.
 */
public record MatrixEvent(String type, String sender, Map<String, Object> content, String stateKey, String eventId) {

    public static MatrixEvent message(String sender, Map<String, Object> content) {
        return new MatrixEvent("m.room.message", sender, content, null, null);
    }
}

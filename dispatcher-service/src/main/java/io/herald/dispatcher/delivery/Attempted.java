package io.herald.dispatcher.delivery;

import java.util.List;

/** How a run of attempts ended: the last result and every attempt so far (earlier stages included). */
public record Attempted(SendResult result, List<AttemptRecord> history) {
    public int attempts() {
        return history.size();
    }
}

package io.herald.dispatcher.send;

import io.herald.common.Delivery;
import io.smallrye.mutiny.Uni;

/**
 * Sends one delivery once and says how it went. One implementation per destination kind (a Matrix room, a push
 * gateway); the answer is read by {@link Answers}. A sender never fails its {@link Uni}: every failure is a
 * {@link SendResult}.
 */
public interface Sender {
    Uni<SendResult> send(Delivery delivery);
}

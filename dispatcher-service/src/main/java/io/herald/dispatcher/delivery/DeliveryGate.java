package io.herald.dispatcher.delivery;

import io.herald.common.Delivery;

/**
 * Asked by a lane right before a delivery's send starts: may it still be sent? Its answer is final for that attempt
 * (a delivery it lets through is sent, and reported as whatever the send ends in). Implemented by the sender queue's
 * purge fences ({@code queue.PurgeFences}).
 */
public interface DeliveryGate {

    /** True when the delivery was purged and must be settled as {@code purged} without being sent. */
    boolean purged(Delivery delivery);
}

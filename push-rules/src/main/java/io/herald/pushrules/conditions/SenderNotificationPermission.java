package io.herald.pushrules.conditions;

import io.herald.pushrules.PushEvent;
import io.herald.pushrules.Recipient;
import io.herald.pushrules.RoomContext;

/** {@code sender_notification_permission}: the sender's power level ≥ {@code notifications[key]} (default 50). */
public final class SenderNotificationPermission extends Condition {
    private final String key;

    public SenderNotificationPermission(String key) {
        this.key = key;
    }

    @Override
    public boolean matches(PushEvent event, RoomContext room, Recipient recipient) {
        return room.senderMayNotify(event.sender(), key);
    }
}

package io.herald.common;

/**
 * What a push delivery tells the push gateway besides the event (type, sender, content, ids): the Push Gateway API's
 * {@code sender_display_name}, {@code room_name}, {@code room_alias}, {@code user_is_target} and {@code counts}, worked
 * out by the rules-service from the room's state and the recipient's unread counts.
 *
 * @param senderDisplayName the sender's display name in the room (null: none)
 * @param roomName          the room's name as a client would show it (null: none)
 * @param roomAlias         the room's canonical alias (null: none)
 * @param userIsTarget      for member events: whether the recipient is the member the event is about (else null)
 * @param unread            the recipient's badge: rooms with unread notifications and pending invites (Synapse's
 *                          count), null when unknown
 * @param missedCalls       call invites the recipient has not read, across rooms (null or 0: left out)
 * @param roomDelivery      the id of the delivery that posts this notification into a Matrix room: the push waits for
 *                          it and carries the event id the homeserver answered (null: nothing to wait for)
 * @param badge             a badge update only (after a read receipt): no event, only the counts
 * @param ruleId            the push rule that matched for the recipient (the delivery log keeps it, the console shows
 *                          why the push went out); null for badge updates and older producers
 */
public record PushContext(String senderDisplayName, String roomName, String roomAlias, Boolean userIsTarget,
        Integer unread, Integer missedCalls, String roomDelivery, boolean badge, String ruleId) {

    /** Without the rule that matched (tests, older producers). */
    public PushContext(String senderDisplayName, String roomName, String roomAlias, Boolean userIsTarget,
            Integer unread, Integer missedCalls, String roomDelivery, boolean badge) {
        this(senderDisplayName, roomName, roomAlias, userIsTarget, unread, missedCalls, roomDelivery, badge, null);
    }

    /** A badge update: the recipient's counts changed (they read something), no event to show. */
    public static PushContext badge(int unread, int missedCalls) {
        return new PushContext(null, null, null, null, unread, missedCalls, null, true, null);
    }
}

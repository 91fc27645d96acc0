package io.herald.common;

/**
 * A record of {@value Topics#PUSHERS_REJECTED}, keyed by {@code pushkey}: a push gateway answered that this pushkey
 * is {@code rejected}. The rules-service removes every pusher with this app id and pushkey; the dispatcher never
 * retries the delivery.
 */
public record RejectedPusher(String appId, String pushkey, String url, String deliveryId) {
}

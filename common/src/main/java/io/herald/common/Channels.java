package io.herald.common;

/**
 * SmallRye Reactive Messaging channel names ({@code @Incoming}, {@code @Channel}), each the key of its
 * {@code mp.messaging.incoming|outgoing.<channel>.*} settings in the service's {@code application.properties}. They live
 * beside {@link Topics} because a channel stands for one topic: the same name is used for the same topic in every
 * service (ingest writes {@link #NOTIFICATIONS}, the rules-service reads it).
 */
public final class Channels {
    /** {@value Topics#NOTIFICATIONS}: ingest-service out, rules-service in. */
    public static final String NOTIFICATIONS = "notifications";
    /** {@value Topics#DELIVERIES}: rules-service out, dispatcher-service in. */
    public static final String DELIVERIES = "deliveries";
    /** {@value Topics#PUSHERS_REJECTED}: dispatcher-service out, rules-service in. */
    public static final String PUSHERS_REJECTED = "pushers-rejected";
    /** {@value Topics#EVENTS}, read by the rules-service. */
    public static final String EVENTS = "events";

    private Channels() {
    }
}

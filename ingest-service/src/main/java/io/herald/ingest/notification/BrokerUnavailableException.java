package io.herald.ingest.notification;

/** Kafka did not acknowledge in time: nothing was accepted, the client should retry. */
public class BrokerUnavailableException extends RuntimeException {
    public BrokerUnavailableException(Throwable cause) {
        super("Kafka did not acknowledge the notification: " + cause.getMessage(), cause);
    }
}

package io.herald.common;

/** A Kafka record that cannot be processed whatever happens later: it goes to a dead-letter topic. */
public class InvalidRecordException extends RuntimeException {
    public InvalidRecordException(String message) {
        super(message);
    }

    public InvalidRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}

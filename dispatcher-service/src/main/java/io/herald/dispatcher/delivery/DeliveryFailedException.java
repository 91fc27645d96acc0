package io.herald.dispatcher.delivery;

/** A delivery that will not be retried any more; its message becomes the dead letter's reason. */
public class DeliveryFailedException extends RuntimeException {
    public DeliveryFailedException(String reason) {
        super(reason, null, false, false);
    }
}

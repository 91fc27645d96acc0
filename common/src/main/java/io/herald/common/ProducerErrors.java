package io.herald.common;

import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Which failures of a Kafka send are the record's own fault, so that sending it again can never succeed.
 *
 * <p>Deliberately a short list of record-level errors rather than "every non-retriable {@code ApiException}": the
 * others (authorization, an unsupported broker version, a fenced or otherwise broken producer) fail every record
 * alike; dead-lettering would empty the whole stream into the dead-letter topic, while retrying keeps it until an
 * operator fixes the cause.
 */
public final class ProducerErrors {

    private ProducerErrors() {
    }

    /** True when {@code failure} (or one of its causes) says this record can never be written. */
    public static boolean permanent(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException
                    || e instanceof InvalidTopicException || e instanceof SerializationException
                    // Kafka's, not Herald's: the broker refused the record (e.g. no key on a compacted topic)
                    || e instanceof org.apache.kafka.common.InvalidRecordException
                    || e instanceof InvalidTimestampException) {
                return true;
            }
        }
        return false;
    }
}

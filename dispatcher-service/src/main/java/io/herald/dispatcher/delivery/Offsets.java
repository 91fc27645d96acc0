package io.herald.dispatcher.delivery;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of {@code herald.deliveries} may be committed: per assigned partition, everything below the oldest
 * record still in memory. A record counts from when it is received until it is settled (its outcome durable); one
 * abandoned at a revocation never stops counting, so the commit stops before it and the next owner gets it. Records
 * finish out of order (destinations run concurrently); the committed offset only moves past a record once it and
 * every record before it finished, so a crash re-delivers, never drops. Thread-safe.
 */
final class Offsets {

    private static final class Partition {
        final TreeSet<Long> open = new TreeSet<>();
        long next = -1;
        long committed = -1;
    }

    private final String topic;
    private final Map<Integer, Partition> partitions = new HashMap<>();

    Offsets(String topic) {
        this.topic = topic;
    }

    /** A partition is ours from now on; records of partitions not ours are not tracked. */
    synchronized void assigned(int partition) {
        partitions.putIfAbsent(partition, new Partition());
    }

    synchronized void received(int partition, long offset) {
        Partition p = partitions.get(partition);
        if (p != null) {
            p.open.add(offset);
            p.next = Math.max(p.next, offset + 1);
        }
    }

    synchronized void finished(int partition, long offset) {
        Partition p = partitions.get(partition);
        if (p != null) {
            p.open.remove(offset);
        }
    }

    /** What to commit now for the given partitions (only those that moved); marks it committed. */
    synchronized Map<TopicPartition, OffsetAndMetadata> toCommit(Iterable<TopicPartition> assigned) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : assigned) {
            Partition p = partitions.get(tp.partition());
            if (p == null || !tp.topic().equals(topic)) {
                continue;
            }
            long offset = p.open.isEmpty() ? p.next : p.open.first();
            if (offset > p.committed && offset >= 0) {
                out.put(tp, new OffsetAndMetadata(offset));
                p.committed = offset;
            }
        }
        return out;
    }

    /** A commit did not go through: commit those offsets again next time. */
    synchronized void commitFailed(Map<TopicPartition, OffsetAndMetadata> failed) {
        failed.forEach((tp, offset) -> {
            Partition p = partitions.get(tp.partition());
            if (p != null && p.committed >= offset.offset()) {
                p.committed = offset.offset() - 1;
            }
        });
    }

    /** Forgets a partition (revoked or lost). */
    synchronized void forget(int partition) {
        partitions.remove(partition);
    }

    synchronized int open() {
        return partitions.values().stream().mapToInt(p -> p.open.size()).sum();
    }
}

package io.herald.common.changes;

import io.herald.common.InvalidRecordException;
import io.herald.common.Json;
import io.herald.common.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One service instance's end of {@value Topics#CHANGES}: it {@linkplain #publish publishes} the changes this instance
 * commits and hands every other instance's changes to its {@linkplain #listen listeners}, which drop the matching cache
 * entries. Plain Kafka clients, no CDI, so that any service can own one (see docs/architecture.md, "Change events").
 *
 * <p>Reading: every partition is assigned to this instance, without a consumer group (no group to join, no rebalance,
 * nothing left behind on the broker by a restarted instance), from the end of the topic as it is when
 * {@link #start} returns: a starting instance has nothing cached, so older changes do not concern it. An instance that
 * loses the broker for a while reads what it missed when it is back.
 *
 * <p>Publishing never fails nor blocks the caller: the record is handed to a sending thread, and a change that cannot
 * be published is logged; the caches' TTL still bounds how long other instances keep the old state.
 */
public final class ChangeFeed implements AutoCloseable {

    /** What a service does with another instance's change (called on the feed's thread; must not block long). */
    @FunctionalInterface
    public interface Listener {
        void changed(ChangeEvent event);
    }

    private static final Logger LOG = Logger.getLogger(ChangeFeed.class.getName());
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration RETRY = Duration.ofSeconds(5);
    private static final int QUEUE = 10_000;
    private static final int READY_SECONDS = 5;

    private final String origin;
    private final Map<String, Object> kafka;
    private final KafkaProducer<String, String> producer;
    private final ThreadPoolExecutor sender;
    private final KafkaConsumer<String, String> consumer;
    private final Thread poller;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile boolean running = true;

    private ChangeFeed(Map<String, Object> kafka, String service) {
        this.origin = service + "-" + UUID.randomUUID();
        this.kafka = kafka;
        Map<String, Object> producerConfig = new HashMap<>(kafka);
        producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, origin + "-out");
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        this.producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer());
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
                r -> daemon(r, "herald-changes-out"));
        Map<String, Object> consumerConfig = new HashMap<>(kafka);
        consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, origin + "-in");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // Created here, compacted; a consumer's metadata request must not create it with the broker's defaults.
        consumerConfig.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        this.consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer());
        this.poller = daemon(this::poll, "herald-changes-in");
    }

    /**
     * Creates the topic if it is missing, takes up reading at its current end and starts the reading thread. Waits up
     * to {@value #READY_SECONDS} s for the reading position, so that no change committed after this call is missed; a
     * broker that is not there yet is waited for in the background.
     *
     * @param kafka   Kafka client settings ({@code bootstrap.servers}, security); a {@code group.id} is ignored
     * @param service the service's name, the start of {@link #origin()}
     */
    public static ChangeFeed start(Map<String, ?> kafka, String service) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        ChangeFeed feed = new ChangeFeed(config, service);
        feed.poller.start();
        try {
            if (!feed.ready.await(READY_SECONDS, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "{0} is not readable yet; reading it as soon as it is", Topics.CHANGES);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return feed;
    }

    /** This instance's name on the feed: {@code <service>-<uuid>}. */
    public String origin() {
        return origin;
    }

    /** Registers a listener for the changes of other instances. */
    public ChangeFeed listen(Listener listener) {
        listeners.add(listener);
        return this;
    }

    /** Tells every other instance that {@code kind} {@code id} changed. Call it after the change is committed. */
    public void publish(ChangeEvent.Kind kind, String id) {
        ChangeEvent event = new ChangeEvent(kind, id, Instant.now(), origin);
        try {
            sender.execute(() -> send(event));
        } catch (RejectedExecutionException e) {
            LOG.log(Level.WARNING, "change {0} not published: {1} changes are waiting for Kafka already",
                    new Object[] {event.key(), String.valueOf(QUEUE)});
        }
    }

    private void send(ChangeEvent event) {
        try {
            producer.send(new ProducerRecord<>(Topics.CHANGES, event.key(), Json.encode(event)), (metadata, e) -> {
                if (e != null) {
                    warnNotPublished(event, e);
                }
            });
        } catch (RuntimeException e) {
            warnNotPublished(event, e);
        }
    }

    private static void warnNotPublished(ChangeEvent event, Exception e) {
        LOG.log(Level.WARNING, "change {0} not published to {1} ({2}); other instances see it when their cache entry"
                + " expires", new Object[] {event.key(), Topics.CHANGES, e.getMessage()});
    }

    private void poll() {
        boolean topicThere = false;
        boolean failing = false;
        long wait = 50;
        while (running) {
            try {
                if (!topicThere && consumer.assignment().isEmpty()) {
                    topicThere = createTopic(kafka); // deployments may have made it already (and forbid creating)
                }
                if (consumer.assignment().isEmpty() && !assign()) {
                    // a topic just created takes a moment to show in the metadata: look again soon, then less often
                    Thread.sleep(wait);
                    wait = Math.min(wait * 2, RETRY.toMillis());
                    continue;
                }
                for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                    deliver(record.value());
                }
                failing = false;
            } catch (WakeupException e) {
                // closing
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                // once per outage: the broker being away for a while is not news every five seconds
                LOG.log(failing ? Level.FINE : Level.WARNING, "reading {0} failed ({1}); retrying",
                        new Object[] {Topics.CHANGES, e.toString()});
                failing = true;
                sleepQuietly(RETRY);
            }
        }
        consumer.close(Duration.ofSeconds(2));
    }

    /** Assigns every partition of the topic, positioned at its end; false when the topic is not there (yet). */
    private boolean assign() {
        List<PartitionInfo> infos = consumer.partitionsFor(Topics.CHANGES, Duration.ofSeconds(READY_SECONDS));
        if (infos == null || infos.isEmpty()) {
            return false;
        }
        List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve "the end" now, not at the first poll
        ready.countDown();
        return true;
    }

    private void deliver(String value) {
        ChangeEvent event;
        try {
            event = Json.decode(value, ChangeEvent.class);
        } catch (InvalidRecordException e) {
            LOG.log(Level.FINE, "skipping a record of {0}: {1}", new Object[] {Topics.CHANGES, e.getMessage()});
            return;
        }
        if (event.kind() == null || event.id() == null || origin.equals(event.origin())) {
            return; // a kind of a newer Herald, or this instance's own change (applied when it was made)
        }
        if (LOG.isLoggable(Level.FINE) && event.changedAt() != null) {
            // the lag as a String: MessageFormat would print 1234 as "1,234"
            String lag = String.valueOf(Duration.between(event.changedAt(), Instant.now()).toMillis());
            LOG.log(Level.FINE, "change {0} from {1}, {2} ms after it was made",
                    new Object[] {event.key(), event.origin(), lag});
        }
        for (Listener listener : listeners) {
            try {
                listener.changed(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "applying change " + event.key() + " failed", e);
            }
        }
    }

    /** Creates the compacted topic when it is missing; true when it is there now (else the problem is logged). */
    static boolean createTopic(Map<String, Object> kafka) {
        Admin admin = Admin.create(kafka);
        try {
            NewTopic topic = new NewTopic(Topics.CHANGES, 1, (short) -1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(topic)).all().get(READY_SECONDS, TimeUnit.SECONDS);
            LOG.log(Level.INFO, "created topic {0} (compacted)", Topics.CHANGES);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return true;
            }
            LOG.log(Level.WARNING, "could not create topic {0}: {1}",
                    new Object[] {Topics.CHANGES, e.getCause().getMessage()});
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "could not create topic {0}: {1}", new Object[] {Topics.CHANGES, e.toString()});
        } finally {
            admin.close(Duration.ZERO); // a call still waiting for an absent broker is abandoned, not waited for
        }
        return false;
    }

    /** Stops reading, sends what is queued (for up to 2 s) and closes the clients. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        sender.shutdown();
        try {
            poller.join(5_000);
            sender.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(2));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

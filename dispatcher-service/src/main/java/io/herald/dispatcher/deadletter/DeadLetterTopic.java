package io.herald.dispatcher.deadletter;

import io.herald.dispatcher.http.SafeText;
import io.herald.common.Delivery;
import io.herald.common.Json;
import io.herald.common.ProducerErrors;
import io.herald.dispatcher.storage.Outages;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes dead deliveries to {@code herald.deliveries.dlq}, keyed by destination, with the reason in the
 * {@code dead-letter-reason} header (the header SmallRye's own dead-letter strategy uses for records that do not
 * decode). Waits out a Kafka outage: the delivery's record stays unacknowledged meanwhile.
 */
@ApplicationScoped
public class DeadLetterTopic {

    public static final String CHANNEL = "deliveries-dlq-out";
    public static final String REASON = "dead-letter-reason";

    private static final Logger LOG = Logger.getLogger(DeadLetterTopic.class);

    private final MutinyEmitter<String> emitter;
    private final Outages outages;

    DeadLetterTopic(@Channel(CHANNEL) MutinyEmitter<String> emitter, Outages outages) {
        this.emitter = emitter;
        this.outages = outages;
    }

    public Uni<Void> publish(Delivery delivery, String reason) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON, SafeText.of(reason).getBytes(StandardCharsets.UTF_8));
        Message<String> record = Message.of(Json.encode(delivery)).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(delivery.destination().key()).withHeaders(headers).build());
        return untilSent(emitter, record, outages);
    }

    /**
     * Publishes, retrying while Kafka does not acknowledge: the record being handled stays unacknowledged meanwhile,
     * so giving up would leave it neither done nor re-delivered until a restart. A record Kafka can never take
     * ({@link ProducerErrors#permanent}: too large, say) is logged and given up on: the caller's record must not wait
     * for ever. Errors that fail every record alike (not authorized, broker away) are retried until fixed.
     */
    public static Uni<Void> untilSent(MutinyEmitter<String> emitter, Message<String> record, Outages outages) {
        return Uni.createFrom().deferred(() -> emitter.sendMessage(record))
                .invoke(outages::brokerAnswered)
                .onFailure(e -> !ProducerErrors.permanent(e)).invoke(e -> {
                    outages.broker(e);
                    LOG.debugf("publishing failed, retrying: %s", e.getMessage());
                })
                .onFailure(e -> !ProducerErrors.permanent(e)).retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10))
                .indefinitely()
                .onFailure().recoverWithItem(e -> {
                    LOG.errorf("a record for %s was refused by Kafka and is not published: %s",
                            record.getMetadata(OutgoingKafkaRecordMetadata.class).map(m -> String.valueOf(m.getKey()))
                                    .orElse("?"), e.getMessage());
                    return null;
                });
    }
}

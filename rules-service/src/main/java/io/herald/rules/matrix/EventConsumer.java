package io.herald.rules.matrix;

import io.herald.common.Channels;
import io.herald.common.Topics;
import io.herald.rules.publish.DeliveryPublisher;
import io.herald.telemetry.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes herald.events in batches (a poll's records of a partition set): processes them ({@link EventProcessor}),
 * dead-letters the records that are no Matrix event (to herald.notifications.dlq, with the reason and
 * {@code dead-letter-topic: herald.events}), publishes the pushes in order and acknowledges the batch once Kafka has
 * them all. PostgreSQL or Kafka being away is waited out, with backoff; the batch is never skipped.
 *
 * <p>While tracing is on, each record gets a {@code process herald.events} span: it continues the {@code traceparent}
 * the producer (a homeserver's module) wrote, or starts a trace as the sampler decides, since events enter Herald
 * here. It carries the room, the event id and how many pushes the event made, and ends once Kafka has them; each push
 * record carries its context, so the dispatcher's spans of the push join the event's trace.
 */
@ApplicationScoped
public class EventConsumer {

    private static final Logger LOG = Logger.getLogger(EventConsumer.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final EventProcessor processor;
    private final DeliveryPublisher publisher;

    private final Tracing tracing;

    EventConsumer(EventProcessor processor, DeliveryPublisher publisher, Tracing tracing) {
        this.processor = processor;
        this.publisher = publisher;
        this.tracing = tracing;
    }

    @Incoming(Channels.EVENTS)
    @Blocking
    public CompletionStage<Void> consume(KafkaRecordBatch<String, byte[]> batch) throws InterruptedException {
        List<EventProcessor.In> records = new ArrayList<>();
        for (KafkaRecord<String, byte[]> r : batch) {
            long offset = r.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getOffset)
                    .orElse(-1L);
            Span trace = tracing.process(Topics.EVENTS, r.getHeaders(), r.getPartition(), offset, true);
            records.add(new EventProcessor.In(r.getKey(), r.getPayload(), r.getPartition(), offset, trace));
        }
        EventProcessor.Batch read = processor.read(records);
        List<Uni<RecordMetadata>> dead = new ArrayList<>();
        for (EventProcessor.Rejected r : read.rejected()) {
            LOG.warnf("herald.events %d/%d dead-lettered: %s", r.record().partition(), r.record().offset(), r.reason());
            dead.add(publisher.deadLetter(Topics.EVENTS, r.record().key(), r.record().value(), r.reason()));
            Span trace = r.record().trace();
            trace.setAttribute(Tracing.OUTCOME, "dead");
            trace.setStatus(StatusCode.ERROR, r.reason());
        }
        if (!dead.isEmpty()) {
            Uni.join().all(dead).andFailFast().await().indefinitely();
        }
        read.rejected().forEach(r -> r.record().trace().end());
        // a transaction at a time (a few events of a huge room, or many of small ones), each one's pushes published
        // before the next, so memory holds one transaction's pushes
        List<EventProcessor.Parsed> events = read.events();
        for (int done = 0; done < events.size(); ) {
            EventProcessor.Result result = processUntilPossible(events.subList(done, events.size()));
            String dropped = null;
            try {
                publisher.publish(result.deliveries(), result.traces()).await().indefinitely();
            } catch (RuntimeException e) {
                dropped = e.getMessage();
                LOG.warnf("pushes of herald.events that Kafka refuses for good were dropped: %s", dropped);
            }
            endTraces(events.subList(done, done + result.consumed()), result.traces(), dropped);
            done += result.consumed();
        }
        return batch.ack();
    }

    /** Ends the spans of processed events, with the room, the event id and how many pushes each made. */
    private static void endTraces(List<EventProcessor.Parsed> processed, List<Span> traces, String dropped) {
        Map<Span, Long> pushes = new IdentityHashMap<>();
        for (Span trace : traces) {
            if (trace.isRecording()) {
                pushes.merge(trace, 1L, Long::sum);
            }
        }
        for (EventProcessor.Parsed event : processed) {
            Span trace = event.in().trace();
            if (!trace.isRecording()) {
                continue;
            }
            trace.setAttribute(Tracing.ROOM, event.event().roomId());
            if (event.event().eventId() != null) {
                trace.setAttribute(Tracing.NOTIFICATION_ID, event.event().eventId());
            }
            trace.setAttribute(Tracing.FANOUT, pushes.getOrDefault(trace, 0L));
            if (dropped != null) {
                trace.setStatus(StatusCode.ERROR, dropped);
            }
            trace.end();
        }
    }

    private EventProcessor.Result processUntilPossible(List<EventProcessor.Parsed> events) throws InterruptedException {
        Duration backoff = Duration.ofMillis(100);
        while (true) {
            try {
                return processor.process(events);
            } catch (RuntimeException e) {
                LOG.warnf(e, "herald.events batch of %d: %s; retrying in %d ms", events.size(), e.getMessage(),
                        backoff.toMillis());
                Thread.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }
}

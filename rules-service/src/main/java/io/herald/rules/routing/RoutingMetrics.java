package io.herald.rules.routing;

import io.herald.common.Channels;
import io.herald.common.Topics;
import io.herald.rules.push.RoomEvaluator;
import io.herald.telemetry.ConsumerLag;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The rules-service's metrics (docs/operations.md): {@code herald_notifications_processed_total{outcome}} (planned or
 * dead-lettered), {@code herald_fanout_deliveries} (deliveries per planned notification, a histogram),
 * {@code herald_push_rule_evaluations_total{result}} (members' push rules evaluated: notify or not), and
 * {@code herald_consumer_lag{group,topic}} of its consumers.
 */
@ApplicationScoped
public class RoutingMetrics {

    private final Counter planned;
    private final Counter deadLettered;
    private final DistributionSummary fanOut;
    private final Counter notify;
    private final Counter silent;
    private final MeterRegistry registry;

    RoutingMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.planned = processed(registry, "planned");
        this.deadLettered = processed(registry, "dead_lettered");
        this.fanOut = DistributionSummary.builder("herald.fanout.deliveries")
                .description("deliveries one notification made (its room, and one per pusher of each notified member)")
                .serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000).register(registry);
        this.notify = evaluations(registry, "notify");
        this.silent = evaluations(registry, "no_notify");
    }

    private static Counter processed(MeterRegistry registry, String outcome) {
        return Counter.builder("herald.notifications.processed").tag("outcome", outcome)
                .description("notifications of herald.notifications handled: planned, or dead-lettered").register(registry);
    }

    private static Counter evaluations(MeterRegistry registry, String result) {
        return Counter.builder("herald.push.rule.evaluations").tag("result", result)
                .description("push rules evaluated for a member, by whether they said to notify").register(registry);
    }

    void lag(@Observes StartupEvent event, KafkaClientService kafka,
            @ConfigProperty(name = "mp.messaging.incoming.notifications.group.id") String notificationsGroup,
            @ConfigProperty(name = "mp.messaging.incoming.pushers-rejected.group.id") String rejectedGroup) {
        ConsumerLag.register(registry, kafka, Channels.NOTIFICATIONS, notificationsGroup, Topics.NOTIFICATIONS);
        ConsumerLag.register(registry, kafka, Channels.PUSHERS_REJECTED, rejectedGroup, Topics.PUSHERS_REJECTED);
    }

    void planned(int deliveries) {
        planned.increment();
        fanOut.record(deliveries);
    }

    void deadLettered() {
        deadLettered.increment();
    }

    void evaluated(List<RoomEvaluator.MemberResult> results) {
        for (RoomEvaluator.MemberResult r : results) {
            (r.result().shouldNotify() ? notify : silent).increment();
        }
    }
}

package io.herald.rules.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.PushContext;
import io.herald.pushrules.EvaluationResult;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Push deliveries: one per pusher of a notified user, as the notification and event paths both make them. */
public final class PushDeliveries {

    private PushDeliveries() {
    }

    /** What a push delivery is made of, besides its pusher. */
    public record Push(String notificationId, String room, MatrixEvent event, Map<String, Object> tweaks,
            String priority, Instant createdAt, Instant deadline, String tenant, Instant acceptedAt, PushContext context) {
    }

    /**
     * Adds one delivery per pusher to {@code out}, skipping destinations already planned for this notification
     * ({@code destinations}: a pushkey registered by several users, {@code append=true}, gets it once).
     */
    public static void add(Push push, List<PushStore.PusherRow> pushers, Set<String> destinations, List<Delivery> out) {
        for (PushStore.PusherRow p : pushers) {
            Destination destination = Destination.pusher(pusher(p));
            if (!destinations.add(destination.key())) {
                continue;
            }
            out.add(new Delivery(Delivery.idFor(push.notificationId(), destination), push.notificationId(), push.room(),
                    destination, push.event(), push.tweaks(), push.priority(), 0, push.deadline(), push.createdAt(),
                    push.tenant(), push.acceptedAt(), push.context()));
        }
    }

    /**
     * The push priority as Synapse decides it: {@code high} when the push makes a sound or highlights, or may do so
     * (an encrypted event: the app decides once decrypted), else {@code low}.
     */
    public static String priority(EvaluationResult result, String eventType) {
        return "m.room.encrypted".equals(eventType) || result.highlight() || result.sound() != null ? "high" : "low";
    }

    /**
     * The pusher as a destination: gateway URL ({@code data.url}), app id, pushkey, {@code data.format}, and
     * {@code data} without {@code url} (what the gateway is sent, per the spec).
     */
    public static Destination.Pusher pusher(PushStore.PusherRow p) {
        JsonNode url = p.data().get("url");
        JsonNode format = p.data().get("format");
        ObjectNode data = p.data().deepCopy();
        data.remove("url");
        @SuppressWarnings("unchecked")
        Map<String, Object> dataMap = Json.MAPPER.convertValue(data, LinkedHashMap.class);
        return new Destination.Pusher(url.textValue(), p.appId(), p.pushkey(), p.pushkeyTs(),
                format != null && format.isTextual() ? format.textValue() : null, dataMap);
    }

    /** An evaluation's tweaks as plain values. */
    public static Map<String, Object> tweaks(Map<String, JsonNode> tweaks) {
        Map<String, Object> out = new LinkedHashMap<>();
        tweaks.forEach((k, v) -> out.put(k, Json.MAPPER.convertValue(v, Object.class)));
        return out;
    }
}

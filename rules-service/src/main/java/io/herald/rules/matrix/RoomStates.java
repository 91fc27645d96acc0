package io.herald.rules.matrix;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.herald.rules.RulesConfig;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The state of the Matrix rooms whose partitions of herald.events this instance consumes, in memory, loaded from
 * PostgreSQL on first use. Only the consumer of a room's partition changes its state, so the memory is right as long
 * as the partition stays here; when partitions are assigned (after a rebalance a room may come back from another
 * instance that changed it meanwhile) everything is read again.
 */
@ApplicationScoped
public class RoomStates {

    private final StateStore store;
    /** Bounded by members kept (a room weighs 1 + its members), so a few huge rooms cannot exhaust the heap. */
    private final Cache<String, RoomState> rooms;

    RoomStates(StateStore store, RulesConfig config) {
        this.store = store;
        this.rooms = Caffeine.newBuilder().maximumWeight(config.events().stateCacheMembers())
                .weigher((String id, RoomState s) -> 1 + s.memberCount()).build();
    }

    /** The state of these rooms; the ones not in memory are loaded together. */
    public Map<String, RoomState> get(Collection<String> roomIds) {
        Map<String, RoomState> out = new HashMap<>();
        List<String> missing = roomIds.stream().filter(id -> {
            RoomState s = rooms.getIfPresent(id);
            if (s != null) {
                out.put(id, s);
            }
            return s == null;
        }).distinct().toList();
        if (!missing.isEmpty()) {
            store.load(missing).forEach((id, state) -> out.put(id, rooms.get(id, k -> state)));
        }
        return out;
    }

    /** The state in memory, if this instance has it (the admin API reads PostgreSQL otherwise). */
    public RoomState cached(String roomId) {
        return rooms.getIfPresent(roomId);
    }

    /** Rooms whose state in memory may be ahead of PostgreSQL (a batch failed): read again next time. */
    void forget(Collection<String> roomIds) {
        rooms.invalidateAll(roomIds);
    }

    /** After a batch changed these rooms: their weight (members) is counted again. */
    void changed(Collection<RoomState> states) {
        states.forEach(s -> rooms.asMap().replace(s.roomId(), s, s));
    }

    /** Partitions moved: every room is read again when next needed. */
    void forgetAll() {
        rooms.invalidateAll();
    }

    /** The events channel's rebalance listener ({@code consumer-rebalance-listener.name}). */
    @ApplicationScoped
    @Identifier(Rebalance.NAME)
    static class Rebalance implements KafkaConsumerRebalanceListener {
        static final String NAME = "herald-events-rooms";

        private final RoomStates states;

        Rebalance(RoomStates states) {
            this.states = states;
        }

        @Override
        public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
            states.forgetAll();
        }

        @Override
        public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
            states.forgetAll();
        }
    }
}

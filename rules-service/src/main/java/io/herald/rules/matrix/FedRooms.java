package io.herald.rules.matrix;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.herald.common.changes.ChangeEvent;
import io.herald.common.changes.ChangeFeed;
import io.herald.rules.RulesConfig;
import io.herald.rules.push.PushCache;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Which Matrix rooms are fed through herald.events (Herald has state of them). A Herald notification posted into such
 * a room is pushed when it comes back on herald.events, with its real event id and counts, not when it is planned.
 * Cached; a room that becomes fed is announced on {@code herald.changes} ({@code room:<matrix room id>}).
 */
@ApplicationScoped
public class FedRooms {

    private final StateStore store;
    private final ChangeFeed changes;
    private final Cache<String, Boolean> fed;

    FedRooms(StateStore store, ChangeFeed changes, RulesConfig config) {
        this.store = store;
        this.changes = changes;
        this.fed = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(config.cacheTtl()).build();
    }

    /**
     * Whether Herald has state of this room. On a Vert.x event loop a value not cached throws
     * {@link PushCache.MissOnEventLoop} (the caller asks again on a worker thread).
     */
    public boolean fed(String matrixRoomId) {
        Boolean known = fed.getIfPresent(matrixRoomId);
        if (known != null) {
            return known;
        }
        if (Context.isOnEventLoopThread()) {
            throw PushCache.MissOnEventLoop.INSTANCE;
        }
        boolean loaded = store.known(matrixRoomId);
        fed.put(matrixRoomId, loaded);
        return loaded;
    }

    /** This instance saw the room's first state: here at once, elsewhere through herald.changes. */
    void learned(String matrixRoomId) {
        fed.put(matrixRoomId, true);
        changes.publish(ChangeEvent.Kind.ROOM, matrixRoomId);
    }

    void listen(@Observes StartupEvent event) {
        changes.listen(e -> {
            if (e.kind() == ChangeEvent.Kind.ROOM) {
                fed.invalidate(e.id());
            }
        });
    }
}

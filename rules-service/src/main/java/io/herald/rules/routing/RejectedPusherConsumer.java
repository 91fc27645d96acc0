package io.herald.rules.routing;

import io.herald.common.Channels;
import io.herald.common.InvalidRecordException;
import io.herald.common.Json;
import io.herald.common.RejectedPusher;
import io.herald.common.changes.ChangeEvent;
import io.herald.rules.push.PushCache;
import io.herald.rules.push.PushStore;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code herald.pushers.rejected} (a gateway answered {@code rejected} for a pushkey) and deletes every
 * pusher with that app id and pushkey. A record that does not parse is logged and skipped.
 */
@ApplicationScoped
public class RejectedPusherConsumer {

    private static final Logger LOG = Logger.getLogger(RejectedPusherConsumer.class);

    private final PushStore store;
    private final PushCache cache;

    RejectedPusherConsumer(PushStore store, PushCache cache) {
        this.store = store;
        this.cache = cache;
    }

    @Incoming(Channels.PUSHERS_REJECTED)
    @Blocking
    public void consume(String value) {
        RejectedPusher rejected;
        try {
            rejected = Json.decode(value, RejectedPusher.class);
        } catch (InvalidRecordException e) {
            LOG.warnf("skipping a record of herald.pushers.rejected: %s", e.getMessage());
            return;
        }
        if (rejected.appId() == null || rejected.pushkey() == null) {
            LOG.warnf("skipping a record of herald.pushers.rejected without app_id or pushkey: %s", value);
            return;
        }
        List<String> users = store.deletePushers(rejected.appId(), rejected.pushkey());
        users.forEach(user -> cache.changed(ChangeEvent.Kind.PUSHERS, user));
        LOG.infof("pusher %s/%s rejected by its gateway: removed for %s", rejected.appId(), rejected.pushkey(), users);
    }
}

package io.herald.common.changes;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.herald.common.Topics;
import java.time.Instant;

/**
 * A record of {@value Topics#CHANGES}: "{@code kind} {@code id} changed, read it again". It carries no data, only what
 * to forget; the reader loads the new state from its database. Keyed by {@link #key()} ({@code room:ops},
 * {@code pushers:@alice:example.org}), so compaction keeps the last change of each thing.
 *
 * @param kind      what changed; null when a newer producer wrote a kind this reader does not know (ignored)
 * @param id        which one: a room key, a user id, an API key id, an account id
 * @param changedAt when the change was committed (for the receivers' lag)
 * @param origin    the instance that made the change ({@link ChangeFeed#origin()}); it skips its own events
 */
public record ChangeEvent(Kind kind, String id, Instant changedAt, String origin) {

    /** The things Herald caches, by cache. */
    public enum Kind {
        /** A Herald room's link (rules-service); its members go with it. Id: room key. */
        ROOM("room"),
        /** A room's member list (rules-service). Id: room key. */
        MEMBERS("members"),
        /** A user's push rules and overrides (rules-service). Id: user id. */
        RULES("rules"),
        /** A user's pushers (rules-service). Id: user id. */
        PUSHERS("pushers"),
        /** An API key, revoked (ingest-service). Id: the key's id, {@code key_…}. */
        API_KEY("api-key"),
        /** A Matrix account of the dispatcher (created, changed, logged in again, deleted). Id: account id. */
        ACCOUNT("account"),
        /** A room's queue was purged (dispatcher): read its purge fences again. Id: room key. */
        QUEUE_PURGE("queue-purge"),
        /** A room's parked deliveries are to be tried now (dispatcher; a command more than a change). Id: room key. */
        QUEUE_FLUSH("queue-flush"),
        /** A message template was saved or deleted (ingest-service). Id: the template's name. */
        TEMPLATE("template");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        public String wireName() {
            return wireName;
        }

        /** The kind of this wire name, or null (a kind added by a newer Herald). */
        @JsonCreator
        public static Kind fromWireName(String name) {
            for (Kind k : values()) {
                if (k.wireName.equals(name)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** The record key: {@code <kind>:<id>}. */
    public String key() {
        return kind.wireName() + ":" + id;
    }
}

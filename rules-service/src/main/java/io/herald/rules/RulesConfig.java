package io.herald.rules;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Everything under {@code herald.rules.*}. */
@ConfigMapping(prefix = "herald.rules")
public interface RulesConfig {

    /** How long a delivery may be retried before it is dead-lettered (sets its deadline). */
    @WithDefault("24h")
    Duration deliveryDeadline();

    /** Notifications per consumer whose deliveries wait for Kafka's acknowledgement while the next are planned. */
    @WithDefault("1000")
    int maxUnacknowledged();

    /**
     * Server-default push rules: {@code spec} (v1.17+), {@code legacy} (+ the three v1.16 mention rules) or
     * {@code synapse} (exactly what Synapse serves, so clients show the same settings as on a Synapse).
     */
    @WithDefault("spec")
    String defaults();

    /**
     * How long a cached room, member list, ruleset or pusher list is planned with. Changes reach every instance at once
     * through {@code herald.changes}; this bounds how long an instance plans with the old state when a change event is
     * lost (Kafka unreachable when the change was made).
     */
    @WithDefault("5m")
    Duration cacheTtl();

    /** Matrix room events ({@code herald.events}): room state, counts, pushes as a homeserver sends them. */
    Events events();

    /** Everything under {@code herald.rules.events.*}. */
    interface Events {

        /**
         * The homeserver whose users Herald pushes to (its server name, e.g. {@code example.org}): only members with
         * user ids of this server are evaluated and counted, as a homeserver does for its local users. Unset: every
         * member.
         */
        java.util.Optional<String> serverName();

        /** How long notifying events, their push actions, the events' index and the notifications' evaluations are kept. */
        @WithDefault("30d")
        Duration retention();

        /** Members of Matrix rooms kept in memory (a room counts 1 + its members); the rest are read again. */
        @WithDefault("2000000")
        long stateCacheMembers();
    }
}

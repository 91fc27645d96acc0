package io.herald.common;

/** Names of the Kafka record headers Herald's services set and read (docs/kafka-contract.md). */
public final class RecordHeaders {

    /** On herald.notifications, set by ingest: the tenant of the API key that accepted the notification. */
    public static final String TENANT = "herald-tenant";

    /**
     * On herald.notifications, set by ingest: the id of the API key that accepted the notification. The rules-service
     * copies it into the deliveries ({@code accepted_by}); informational, since any producer allowed to write the
     * topic could set it.
     */
    public static final String API_KEY = "herald-api-key";

    private RecordHeaders() {
    }
}

package io.herald.security;

/**
 * The roles Herald's endpoints check. An {@link #ADMIN} may also do what an {@link #OPERATOR} may
 * ({@link RoleAndTenantAugmentor} adds the operator role to every admin, whatever authenticated it).
 */
public final class Roles {

    /** Matrix accounts, rooms and room links, members, API keys; anyone's push rules and pushers. */
    public static final String ADMIN = "admin";

    /** Deliveries, dead letters (read, replay, purge), the evaluate API. */
    public static final String OPERATOR = "operator";

    /** Posting notifications to ingest: given to API keys only (they carry the sender and the rooms). */
    public static final String PUBLISHER = "publisher";

    /** A Matrix user authenticated with their own access token: their own push rules and pushers only. */
    public static final String MATRIX_USER = "matrix-user";

    private Roles() {
    }
}

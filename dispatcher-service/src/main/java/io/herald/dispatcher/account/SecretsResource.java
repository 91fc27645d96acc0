package io.herald.dispatcher.account;

import io.herald.security.AllTenantsOnly;
import io.herald.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Admin API of the key ring that seals the stored secrets (docs/deploy.md, "Secrets: the key ring").
 * Admins of every tenant only, like {@link AccountResource}: the secrets are every tenant's.
 */
@Path("/v1/secrets")
@RolesAllowed(Roles.ADMIN)
@AllTenantsOnly
@Produces(MediaType.APPLICATION_JSON)
public class SecretsResource {

    private final AccountSecrets secrets;

    SecretsResource(AccountSecrets secrets) {
        this.secrets = secrets;
    }

    /**
     * Re-encrypts every stored secret (access tokens and passwords of the Matrix accounts) under the primary key, a
     * batch of accounts per transaction; answers how many were re-encrypted, how many were already, and the accounts
     * whose secrets could not be read (left as they are, with the reason: typically a key that is not configured).
     */
    @POST
    @Path("rotate")
    public AccountSecrets.Rotation rotate() {
        return secrets.rotate();
    }
}

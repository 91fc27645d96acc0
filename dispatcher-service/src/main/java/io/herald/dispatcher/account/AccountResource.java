package io.herald.dispatcher.account;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.herald.common.problem.Problem;
import io.herald.dispatcher.secret.SecretBox;
import io.herald.security.AllTenantsOnly;
import io.herald.security.Roles;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Sort;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Admin API for the Matrix accounts Herald posts as. Accounts are shared by every tenant's rooms, so only admins of
 * every tenant manage them.
 */
@Path("/v1/matrix-accounts")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
@AllTenantsOnly
public class AccountResource {

    /** Device id used when the request names none: one fixed device per account keeps txnIds deduplicated. */
    static final String DEFAULT_DEVICE_ID = "HERALD";

    private static final Logger LOG = Logger.getLogger(AccountResource.class);

    private final SecretBox secrets;
    private final AccountDirectory directory;
    private final HomeserverClient homeservers;
    private final MatrixLogin login;

    AccountResource(SecretBox secrets, AccountDirectory directory, HomeserverClient homeservers, MatrixLogin login) {
        this.secrets = secrets;
        this.directory = directory;
        this.homeservers = homeservers;
        this.login = login;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@Valid @NotNull(message = "a JSON object is required") AccountRequest request) {
        if (QuarkusTransaction.requiringNew().call(() -> MatrixAccount.findById(request.id()) != null)) {
            throw conflict(request.id());
        }
        String deviceId = request.deviceId() == null ? DEFAULT_DEVICE_ID : request.deviceId();
        String homeserver = request.homeserver() == null ? null : stripTrailingSlashes(request.homeserver());
        String token = request.accessToken();
        String userId = request.userId();
        if (homeserver != null) {
            homeservers.check(homeserver); // a homeserver Herald may not call is refused now, not at the first delivery
        }
        if (request.passwordLogin()) {
            // Network calls outside any transaction: discovery, login, whoami.
            if (homeserver == null) {
                homeserver = homeservers.discover(HomeserverClient.serverName(userId));
            }
            HomeserverClient.Login login = homeservers.login(homeserver, userId, request.password(), deviceId);
            String confirmed = homeservers.whoami(homeserver, login.accessToken());
            if (!confirmed.equals(userId)) {
                throw HomeserverProblem.badGateway("the homeserver " + homeserver + " logged in " + userId
                        + " but whoami names the token's user " + confirmed + "; account not stored");
            }
            token = login.accessToken();
            deviceId = login.deviceId();
            LOG.infof("account %s logged in as %s at %s (device %s)", request.id(), userId, homeserver, deviceId);
        }
        MatrixAccount account = new MatrixAccount();
        account.id = request.id();
        account.homeserver = homeserver;
        account.userId = userId;
        account.deviceId = deviceId;
        account.accessTokenEncrypted = secrets.encrypt(token, account.id);
        account.passwordEncrypted = request.keepPassword()
                ? secrets.encrypt(request.password(), account.id + "/password") : null;
        account.createdAt = Instant.now();
        account.updatedAt = account.createdAt;
        boolean stored = QuarkusTransaction.requiringNew().call(() -> {
            if (MatrixAccount.findById(account.id) != null) {
                return false;
            }
            account.persist();
            return true;
        });
        if (!stored) {
            throw conflict(account.id);
        }
        directory.changed(account.id);
        return Response.created(URI.create("/v1/matrix-accounts/" + account.id)).entity(AccountView.of(account)).build();
    }

    /**
     * Joins a room (or accepts an invite) as the account: {@code POST /_matrix/client/v3/join/{roomIdOrAlias}}. An
     * unknown token is renewed once when the account keeps its password.
     */
    @POST
    @Path("{id}/join")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, String> join(@PathParam("id") String id,
            @Valid @NotNull(message = "a JSON object is required") JoinRequest request) {
        Credentials credentials = directory.find(id)
                .orElseThrow(() -> Problem.exception(Response.Status.NOT_FOUND, "no Matrix account '" + id + "'"));
        String roomId;
        try {
            roomId = homeservers.join(credentials, request.room());
        } catch (HomeserverProblem e) {
            if (!HomeserverClient.unknownToken(e)) {
                throw e;
            }
            MatrixLogin.Outcome outcome = login.reloginBlocking(id, credentials.accessToken());
            if (!(outcome instanceof MatrixLogin.Renewed renewed)) {
                String why = outcome instanceof MatrixLogin.Impossible impossible ? impossible.reason()
                        : ((MatrixLogin.Unavailable) outcome).reason();
                throw new HomeserverProblem(502, e.getMessage() + " (and the account cannot log in again: " + why + ")",
                        e.errcode(), null);
            }
            roomId = homeservers.join(renewed.credentials(), request.room());
        }
        LOG.infof("account %s joined %s (%s)", id, request.room(), roomId);
        return Map.of("room_id", roomId);
    }

    /** Whether the account's token still works, and whose it is: a whoami that answers the problem without failing. */
    public record TokenCheck(String account, Boolean valid, @JsonProperty("user_id") String userId,
            @JsonProperty("expected_user_id") String expectedUserId, String errcode, String error) {
    }

    /**
     * {@code GET /_matrix/client/v3/account/whoami} with the account's token: {@code valid} true (and whose token it
     * is), false (the homeserver refused it: {@code M_UNKNOWN_TOKEN} after a logout or an expiry; the account logs in
     * again at its next delivery when it keeps its password), or null when the homeserver could not say (unreachable,
     * 5xx, 429).
     */
    @GET
    @Path("{id}/token")
    public TokenCheck checkToken(@PathParam("id") String id) {
        MatrixAccount account = find(id);
        Credentials credentials = directory.find(id)
                .orElseThrow(() -> Problem.exception(Response.Status.NOT_FOUND, "no Matrix account '" + id + "'"));
        try {
            String userId = homeservers.whoami(credentials.homeserver(), credentials.accessToken());
            boolean same = account.userId == null || account.userId.equals(userId);
            return new TokenCheck(id, same, userId, account.userId, null, same ? null
                    : "the token belongs to " + userId + ", not to the account's user " + account.userId);
        } catch (HomeserverProblem e) {
            boolean refused = e.status() == 401 || e.status() == 403 || "M_UNKNOWN_TOKEN".equals(e.errcode())
                    || "M_FORBIDDEN".equals(e.errcode());
            return new TokenCheck(id, refused ? false : null, null, account.userId, e.errcode(), e.getMessage());
        }
    }

    @GET
    public List<AccountView> list() {
        return MatrixAccount.<MatrixAccount>listAll(Sort.by("id")).stream().map(AccountView::of).toList();
    }

    @GET
    @Path("{id}")
    public AccountView get(@PathParam("id") String id) {
        return AccountView.of(find(id));
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        QuarkusTransaction.requiringNew().run(() -> find(id).delete());
        directory.changed(id); // after the commit
        return Response.noContent().build();
    }

    private static RuntimeException conflict(String id) {
        return Problem.exception(Response.Status.CONFLICT, "account '" + id + "' exists; delete it first");
    }

    private static MatrixAccount find(String id) {
        MatrixAccount account = MatrixAccount.findById(id);
        if (account == null) {
            throw Problem.exception(Response.Status.NOT_FOUND, "no Matrix account '" + id + "'");
        }
        return account;
    }

    private static String stripTrailingSlashes(String url) {
        return url.replaceAll("/+$", "");
    }
}

package io.herald.dispatcher.account;

import io.herald.common.problem.Problem;
import io.herald.dispatcher.secret.SecretBox;
import io.quarkus.panache.common.Sort;
import jakarta.transaction.Transactional;
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

/** Admin API for the Matrix accounts Herald posts as. */
@Path("/v1/matrix-accounts")
@Produces(MediaType.APPLICATION_JSON)
public class AccountResource {

    /** Device id used when the request names none: one fixed device per account keeps txnIds deduplicated. */
    static final String DEFAULT_DEVICE_ID = "HERALD";

    private final SecretBox secrets;
    private final AccountDirectory directory;

    AccountResource(SecretBox secrets, AccountDirectory directory) {
        this.secrets = secrets;
        this.directory = directory;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Transactional
    public Response create(@Valid @NotNull(message = "a JSON object is required") AccountRequest request) {
        if (MatrixAccount.findById(request.id()) != null) {
            throw Problem.exception(Response.Status.CONFLICT, "account '" + request.id() + "' exists; delete it first");
        }
        MatrixAccount account = new MatrixAccount();
        account.id = request.id();
        account.homeserver = stripTrailingSlashes(request.homeserver());
        account.userId = request.userId();
        account.deviceId = request.deviceId() == null ? DEFAULT_DEVICE_ID : request.deviceId();
        account.accessTokenEncrypted = secrets.encrypt(request.accessToken(), account.id);
        account.passwordEncrypted = request.password() == null ? null
                : secrets.encrypt(request.password(), account.id + "/password");
        account.createdAt = Instant.now();
        account.updatedAt = account.createdAt;
        account.persist();
        directory.evict(account.id);
        return Response.created(URI.create("/v1/matrix-accounts/" + account.id)).entity(AccountView.of(account)).build();
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
    @Transactional
    public Response delete(@PathParam("id") String id) {
        find(id).delete();
        directory.evict(id);
        return Response.noContent().build();
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

package io.herald.dispatcher.send;

import io.herald.common.Delivery;
import io.herald.dispatcher.account.AccountDirectory;
import io.herald.dispatcher.account.Credentials;
import io.herald.dispatcher.account.MatrixLogin;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The room sender with re-login: when the homeserver answers {@code M_UNKNOWN_TOKEN}, the account logs in again
 * ({@link MatrixLogin}, one login per account at a time) and the send is tried once more with the new token. A login
 * that cannot work (no stored password, refused) makes the delivery a dead letter; one that failed for a while (429,
 * 5xx, timeout) makes it a retry.
 */
@ApplicationScoped
public class ReloggingRoomSender implements Sender {

    private final MatrixRoomSender rooms;
    private final AccountDirectory accounts;
    private final MatrixLogin login;

    ReloggingRoomSender(MatrixRoomSender rooms, AccountDirectory accounts, MatrixLogin login) {
        this.rooms = rooms;
        this.accounts = accounts;
        this.login = login;
    }

    @Override
    public Uni<SendResult> send(Delivery delivery) {
        String accountId = delivery.destination().matrixRoom().account();
        return accounts.credentials(accountId).flatMap(lookup -> {
            if (lookup.kind() != AccountDirectory.Lookup.Kind.FOUND) {
                return rooms.send(delivery); // the plain sender says what is wrong with the account
            }
            Credentials used = lookup.credentials();
            return rooms.send(delivery, used).flatMap(result -> result instanceof SendResult.UnknownToken unknown
                    ? login.relogin(accountId, used.accessToken()).flatMap(outcome -> retried(delivery, unknown, outcome))
                    : Uni.createFrom().item(result));
        });
    }

    private Uni<SendResult> retried(Delivery delivery, SendResult.UnknownToken unknown, MatrixLogin.Outcome outcome) {
        if (outcome instanceof MatrixLogin.Renewed renewed) {
            return rooms.send(delivery, renewed.credentials()).map(again -> again instanceof SendResult.UnknownToken u
                    ? SendResult.rejected(u.status(), u.reason() + " (also right after logging in again)") : again);
        }
        if (outcome instanceof MatrixLogin.Unavailable unavailable) {
            return Uni.createFrom().item(new SendResult.Retry(unknown.status(),
                    unknown.reason() + "; " + unavailable.reason(), unavailable.retryAfter(), !unavailable.rateLimited()));
        }
        return Uni.createFrom().item(SendResult.rejected(unknown.status(),
                unknown.reason() + " (" + ((MatrixLogin.Impossible) outcome).reason() + ")"));
    }
}

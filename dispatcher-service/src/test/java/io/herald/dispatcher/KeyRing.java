package io.herald.dispatcher;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.herald.common.Delivery;
import io.herald.dispatcher.account.MatrixAccount;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/** What the key-ring tests share: keys, accounts stored as an earlier configuration left them, logs of a category. */
final class KeyRing {

    /** {@code %test.herald.secrets.key} (application.properties): the ring's key "default". */
    static final String TEST_KEY = "dGVzdC1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q=";
    static final String NEXT_KEY = "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleS0=";

    private KeyRing() {
    }

    /** Stores an account on {@code homeserver} whose token was sealed elsewhere ({@code sealer}: the id → its value). */
    static String storedAccount(String prefix, WireMockExtension homeserver, java.util.function.Function<String, String> sealer) {
        String id = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        MatrixAccount account = new MatrixAccount();
        account.id = id;
        account.homeserver = homeserver.baseUrl();
        account.deviceId = "HERALD";
        account.accessTokenEncrypted = sealer.apply(id);
        account.createdAt = Instant.now();
        account.updatedAt = account.createdAt;
        QuarkusTransaction.requiringNew().run(account::persist);
        return id;
    }

    static String storedToken(String account) {
        return QuarkusTransaction.requiringNew().call(() -> MatrixAccount.<MatrixAccount>findById(account).accessTokenEncrypted);
    }

    /** A delivery into a fresh room of {@code account}, whose sends the homeserver answers with an event id. */
    static Delivery deliveryFor(String account, WireMockExtension homeserver) {
        String room = Deliveries.room();
        homeserver.stubFor(put(urlPathMatching(Deliveries.sendsTo(room))).willReturn(okJson("{\"event_id\":\"$k\"}")));
        return Deliveries.delivery(account, room, "ops");
    }

    /** The formatted messages logged in {@code category} while {@code action} runs. */
    static List<String> logged(String category, Runnable action) {
        List<String> messages = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                messages.add(record.getLevel() + " " + (record instanceof ExtLogRecord ext ? ext.getFormattedMessage()
                        : record.getMessage()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(category);
        logger.addHandler(handler);
        try {
            action.run();
        } finally {
            logger.removeHandler(handler);
        }
        return messages;
    }
}

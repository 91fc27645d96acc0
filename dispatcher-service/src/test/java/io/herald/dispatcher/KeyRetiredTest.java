package io.herald.dispatcher;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.herald.common.Delivery;
import io.herald.dispatcher.account.AccountSecrets;
import io.herald.dispatcher.secret.LegacySecrets;
import io.herald.dispatcher.secret.SecretBox;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The key "default" ({@code herald.secrets.key}) was removed from the ring; "next" is the only key. A value sealed
 * with "default" is the documented error (dead letter, start-up log); once rotated by a ring that had both keys (as
 * docs/deploy.md says to do before retiring one), it delivers, and its dead letter can be replayed.
 */
@QuarkusTest
@TestProfile(KeyRetiredTest.OldKeyRemoved.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class KeyRetiredTest {

    public static class OldKeyRemoved implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("herald.secrets.key", "", "herald.secrets.keys.next", KeyRing.NEXT_KEY,
                    "herald.secrets.primary", "next");
        }
    }

    @RegisterExtension
    static WireMockExtension homeserver = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    @Inject
    AccountSecrets secrets;

    @Test
    void valuesOfARetiredKeyAreTheDocumentedErrorUntilRotatedThenTheyDeliver() {
        String account = KeyRing.storedAccount("retired", homeserver,
                id -> LegacySecrets.sealV1(KeyRing.TEST_KEY, "token-retired", id));
        Delivery delivery = KeyRing.deliveryFor(account, homeserver);

        Deliveries.produce(delivery);

        Deliveries.awaitState(delivery.id(), "dead");
        Auth.admin().get("/v1/dead-letters/" + delivery.id()).then().statusCode(200).body("reason", org.hamcrest.Matchers
                .containsString("sealed with the key 'default', which is not configured (herald.secrets.key"));
        List<String> log = KeyRing.logged(AccountSecrets.class.getName(), secrets::check);
        assertThat(log).anySatisfy(line -> assertThat(line).startsWith("ERROR").contains("[default]").contains(account));
        Auth.admin().post("/v1/secrets/rotate").then().statusCode(200).body("unreadable_accounts.account", hasItem(account));

        // the rotation an operator runs while both keys are configured, before retiring "default"
        new AccountSecrets(new SecretBox(Map.of("default", KeyRing.TEST_KEY, "next", KeyRing.NEXT_KEY),
                Optional.of("next"))).rotate();
        assertThat(KeyRing.storedToken(account)).startsWith("v2:next:"); // (unreadable credentials were not cached)

        Auth.admin().post("/v1/dead-letters/" + delivery.id() + "/replay").then().statusCode(202);
        Deliveries.awaitState(delivery.id(), "delivered");
        Delivery fresh = KeyRing.deliveryFor(account, homeserver);
        Deliveries.produce(fresh);
        Deliveries.awaitState(fresh.id(), "delivered");
    }
}

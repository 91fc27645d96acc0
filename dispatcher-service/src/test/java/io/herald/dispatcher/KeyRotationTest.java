package io.herald.dispatcher;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.herald.common.Delivery;
import io.herald.common.Topics;
import io.herald.dispatcher.account.AccountDirectory;
import io.herald.dispatcher.account.AccountSecrets;
import io.herald.dispatcher.secret.LegacySecrets;
import io.herald.dispatcher.secret.SecretBox;
import io.herald.testsupport.KafkaRecords;
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
 * A new key "next" was added to the ring and made primary; the key "default" ({@code herald.secrets.key}) is still
 * there. Old values still deliver, new ones are sealed with "next", rotation moves everything to "next", and a value
 * sealed with a key that is not configured is the documented error.
 */
@QuarkusTest
@TestProfile(KeyRotationTest.NewPrimary.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class KeyRotationTest {

    public static class NewPrimary implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("herald.secrets.keys.next", KeyRing.NEXT_KEY, "herald.secrets.primary", "next");
        }
    }

    @RegisterExtension
    static WireMockExtension homeserver = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    @Inject
    AccountDirectory accounts;

    @Inject
    AccountSecrets secrets;

    @Test
    void oldValuesDeliverAfterANewPrimaryAndRotationMovesThemToIt() {
        String legacy = KeyRing.storedAccount("ring-v1", homeserver,
                id -> LegacySecrets.sealV1(KeyRing.TEST_KEY, "token-v1", id));
        String created = Deliveries.account("ring-new", homeserver.baseUrl(), "");
        assertThat(KeyRing.storedToken(created)).startsWith("v2:next:");

        deliver(legacy);
        deliver(created);

        Auth.admin().post("/v1/secrets/rotate").then().statusCode(200)
                .body("primary_key", org.hamcrest.Matchers.equalTo("next"))
                .body("re_encrypted", greaterThanOrEqualTo(1))
                .body("already_current", greaterThanOrEqualTo(1));

        String rotated = KeyRing.storedToken(legacy);
        assertThat(rotated).startsWith("v2:next:");
        // "default" is no longer needed for it: a ring without it opens the value
        assertThat(new SecretBox(Map.of("next", KeyRing.NEXT_KEY), Optional.empty()).decrypt(rotated, legacy))
                .isEqualTo("token-v1");
        accounts.evict(legacy);
        deliver(legacy);
    }

    @Test
    void aKeyThatIsNotConfiguredIsNamedInTheDeadLetterTheStartUpCheckAndTheRotation() {
        SecretBox elsewhere = new SecretBox(Map.of("gone", KeyRing.TEST_KEY), Optional.empty());
        String lost = KeyRing.storedAccount("ring-lost", homeserver, id -> elsewhere.encrypt("token-lost", id));
        Delivery delivery = KeyRing.deliveryFor(lost, homeserver);

        Deliveries.produce(delivery);

        String reason = KafkaRecords.header(KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.DELIVERIES_DLQ,
                r -> r.value() != null && r.value().contains(delivery.id()), 1, Deliveries.WAIT).get(0),
                "dead-letter-reason");
        assertThat(reason).contains("sealed with the key 'gone', which is not configured (herald.secrets.keys.gone)");

        List<String> log = KeyRing.logged(AccountSecrets.class.getName(), secrets::check);
        assertThat(log).anySatisfy(line -> assertThat(line).startsWith("ERROR").contains("[gone]").contains(lost)
                .contains("Losing a key"));

        Auth.admin().post("/v1/secrets/rotate").then().statusCode(200)
                .body("unreadable", greaterThanOrEqualTo(1))
                .body("unreadable_accounts.account", hasItem(lost));
        assertThat(KeyRing.storedToken(lost)).startsWith("v2:gone:"); // left as it was
    }

    private static void deliver(String account) {
        Delivery delivery = KeyRing.deliveryFor(account, homeserver);
        Deliveries.produce(delivery);
        Deliveries.awaitState(delivery.id(), "delivered");
    }
}

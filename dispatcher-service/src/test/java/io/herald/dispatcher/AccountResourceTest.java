package io.herald.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import io.herald.dispatcher.account.MatrixAccount;
import io.herald.dispatcher.outbound.ScriptedResolver;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class AccountResourceTest {

    private static final String TOKEN = "syt_secret_token_value_123";

    /** The homeservers' names resolve (to a public address) without a DNS: creating a token account calls nothing. */
    @Inject
    ScriptedResolver dns;

    @BeforeEach
    void resolveTheHomeservers() {
        dns.answer("matrix.example.org", ScriptedResolver.ip("93.184.216.34"));
        dns.answer("hs.example.org", ScriptedResolver.ip("93.184.216.34"));
    }

    @Test
    void theTokenIsStoredEncryptedAndNeverShown() {
        String body = Auth.admin().contentType("application/json")
                .body("{\"id\":\"enc-bot\",\"homeserver\":\"https://matrix.example.org/\",\"access_token\":\"" + TOKEN
                        + "\",\"user_id\":\"@bot:example.org\"}")
                .post("/v1/matrix-accounts")
                .then().statusCode(201)
                .body("id", equalTo("enc-bot"))
                .body("homeserver", equalTo("https://matrix.example.org"))
                .body("device_id", equalTo("HERALD"))
                .extract().asString();
        assertThat(body).doesNotContain(TOKEN).doesNotContain("access_token");

        MatrixAccount stored = QuarkusTransaction.requiringNew().call(() -> MatrixAccount.findById("enc-bot"));
        assertThat(stored.accessTokenEncrypted).startsWith("v2:default:").doesNotContain(TOKEN);

        Auth.admin().get("/v1/matrix-accounts").then().statusCode(200)
                .body("id", hasItem("enc-bot")).body(not(containsString(TOKEN)));
        Auth.admin().get("/v1/matrix-accounts/enc-bot").then().statusCode(200).body("user_id", equalTo("@bot:example.org"));
    }

    @Test
    void duplicatesConflictAndDeletedAccountsAreGone() {
        String json = "{\"id\":\"dup-bot\",\"homeserver\":\"https://hs.example.org\",\"access_token\":\"t\"}";
        Auth.admin().contentType("application/json").body(json).post("/v1/matrix-accounts").then().statusCode(201);
        Auth.admin().contentType("application/json").body(json).post("/v1/matrix-accounts").then().statusCode(409)
                .contentType("application/problem+json");
        Auth.admin().delete("/v1/matrix-accounts/dup-bot").then().statusCode(204);
        Auth.admin().get("/v1/matrix-accounts/dup-bot").then().statusCode(404);
    }

    @Test
    void invalidAccountsAreRefusedFieldByField() {
        Auth.admin().contentType("application/json")
                .body("{\"id\":\"bad bot\",\"homeserver\":\"ftp://x\",\"user_id\":\"bot\"}")
                .post("/v1/matrix-accounts")
                .then().statusCode(400)
                .body("errors.field", hasItem("id"))
                .body("errors.field", hasItem("homeserver"))
                .body("errors.field", hasItem("access_token"))
                .body("errors.field", hasItem("user_id"));
    }
}

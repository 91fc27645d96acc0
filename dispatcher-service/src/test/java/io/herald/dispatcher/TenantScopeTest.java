package io.herald.dispatcher;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;

import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.MatrixEvent;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.herald.testsupport.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Deliveries and dead letters carry their room's tenant: an operator limited to a tenant sees, replays and purges only
 * that tenant's (others' are 404, as if they did not exist); an operator of every tenant sees all.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class TenantScopeTest {

    @Test
    void anOperatorOfATenantSeesAndManagesOnlyItsTenantsDeliveriesAndDeadLetters() {
        String room = "scope-" + UUID.randomUUID().toString().substring(0, 8);
        Delivery ours = dying(room, TestTokens.TENANT);
        Delivery theirs = dying(room, "someone-else");
        Deliveries.produce(ours);
        Deliveries.produce(theirs);
        Deliveries.awaitState(ours.id(), "dead");
        Deliveries.awaitState(theirs.id(), "dead");

        var tenant = Auth.as(TestTokens.TENANT_OPERATOR);
        tenant.get("/v1/dead-letters?room=" + room).then().statusCode(200).body("total", equalTo(1))
                .body("dead_letters.delivery_id", everyItem(equalTo(ours.id())));
        Auth.as(TestTokens.TENANT_OPERATOR).get("/v1/dead-letters/" + theirs.id()).then().statusCode(404);
        Auth.as(TestTokens.TENANT_OPERATOR).get("/v1/deliveries/" + theirs.id()).then().statusCode(404);
        Auth.as(TestTokens.TENANT_OPERATOR).get("/v1/deliveries/" + ours.id()).then().statusCode(200)
                .body("tenant", equalTo(TestTokens.TENANT));
        Auth.as(TestTokens.TENANT_OPERATOR).post("/v1/dead-letters/" + theirs.id() + "/replay").then().statusCode(404);
        Auth.as(TestTokens.TENANT_OPERATOR).delete("/v1/dead-letters?room=" + room).then().statusCode(200)
                .body("purged", equalTo(1));

        // The other tenant's is still there, for an operator of every tenant.
        Auth.as(TestTokens.OPERATOR).get("/v1/dead-letters?room=" + room).then().statusCode(200)
                .body("total", equalTo(1)).body("dead_letters.delivery_id", hasItem(theirs.id()));
    }

    /** A delivery to an account that does not exist: dead-lettered at once. */
    private static Delivery dying(String room, String tenant) {
        Destination destination = Destination.room("nobody-" + UUID.randomUUID().toString().substring(0, 6), "!r:example.org");
        String notification = UUID.randomUUID().toString();
        Instant now = Instant.now();
        return new Delivery(Delivery.idFor(notification, destination), notification, room, destination,
                MatrixEvent.message("@a:example.org", Map.of("body", "x")), Map.of(), "high", 0,
                now.plus(Duration.ofHours(1)), now, tenant, now);
    }
}

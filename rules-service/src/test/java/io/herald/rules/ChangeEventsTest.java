package io.herald.rules;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.common.Delivery;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.NotificationEvent;
import io.herald.common.Topics;
import io.herald.common.changes.ChangeEvent;
import io.herald.testsupport.KafkaRecords;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Another rules-service instance's changes reach this one through {@code herald.changes}: the test changes PostgreSQL
 * behind this instance's back, as the other instance would, sees that this instance still plans with its cache (the
 * TTL is minutes), then publishes the change event the other instance would have published.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ChangeEventsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String EVENT = "{\"type\":\"m.room.message\",\"sender\":\"@c-zed:example.org\","
            + "\"content\":{\"msgtype\":\"m.text\",\"body\":\"hi\"}}";

    @Inject
    DataSource dataSource;

    @Test
    void aRoomRelinkedByAnotherInstanceIsPlannedWithTheNewLinkOnceItsChangeEventArrives() throws Exception {
        Auth.admin().contentType("application/json").body("{\"matrix_room_id\":\"!before:example.org\",\"account\":\"bot\"}")
                .put("/v1/rooms/shared").then().statusCode(201);
        assertThat(plannedRoom("shared")).isEqualTo("!before:example.org");

        sql("UPDATE rules.room SET matrix_room_id = '!after:example.org' WHERE room_key = 'shared'");
        assertThat(plannedRoom("shared")).as("cached").isEqualTo("!before:example.org");

        publish(ChangeEvent.Kind.ROOM, "shared");
        await().atMost(WAIT).until(() -> plannedRoom("shared").equals("!after:example.org"));
    }

    @Test
    void membersAndRulesChangedByAnotherInstanceAreEvaluatedAfreshOnceTheirChangeEventsArrive() throws Exception {
        Auth.admin().contentType("application/json").body("{}").put("/v1/rooms/cshared").then().statusCode(201);
        for (String u : List.of("@c-alice:example.org", "@c-bob:example.org", "@c-carol:example.org")) {
            Auth.admin().contentType("application/json").body("{}").put("/v1/rooms/cshared/members/" + u).then().statusCode(201);
        }
        assertThat(evaluatedUsers()).hasSize(3);

        sql("DELETE FROM rules.room_member WHERE room_key = 'cshared' AND user_id = '@c-carol:example.org'");
        assertThat(evaluatedUsers()).as("cached").hasSize(3);
        publish(ChangeEvent.Kind.MEMBERS, "cshared");
        await().atMost(WAIT).until(() -> evaluatedUsers().size() == 2);

        assertThat(aliceRule()).isEqualTo(".m.rule.room_one_to_one");
        sql("INSERT INTO rules.push_rule_override (user_id, kind, rule_id, enabled) VALUES"
                + " ('@c-alice:example.org', 'override', '.m.rule.master', true)");
        assertThat(aliceRule()).as("cached").isEqualTo(".m.rule.room_one_to_one");
        publish(ChangeEvent.Kind.RULES, "@c-alice:example.org");
        await().atMost(WAIT).until(() -> ".m.rule.master".equals(aliceRule()));
    }

    private static List<String> evaluatedUsers() {
        return Auth.admin().contentType("application/json").body("{\"room\":\"cshared\",\"event\":" + EVENT + "}")
                .post("/v1/push-rules/evaluate").then().statusCode(200).extract().jsonPath()
                .getList("results.user_id", String.class);
    }

    private static String aliceRule() {
        return Auth.admin().contentType("application/json").body("{\"room\":\"cshared\",\"event\":" + EVENT + "}")
                .post("/v1/push-rules/evaluate").then().statusCode(200).extract().jsonPath()
                .getString("results.find { it.user_id == '@c-alice:example.org' }.rule_id");
    }

    /** The Matrix room a notification to {@code room} is delivered to now. */
    private static String plannedRoom(String room) {
        NotificationEvent n = new NotificationEvent(UUID.randomUUID().toString(), room,
                MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text", "body", "probe")), Instant.now(),
                "test");
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.NOTIFICATIONS, room, Json.encode(n));
        String value = KafkaRecords.await(KafkaRecords.bootstrapServers(), Topics.DELIVERIES,
                r -> r.value().contains(n.id()), 1, WAIT).get(0).value();
        Delivery delivery = Json.decodeDelivery(value);
        return delivery.destination().matrixRoom().roomId();
    }

    private static void publish(ChangeEvent.Kind kind, String id) {
        ChangeEvent event = new ChangeEvent(kind, id, Instant.now(), "herald-rules-another-instance");
        KafkaRecords.send(KafkaRecords.bootstrapServers(), Topics.CHANGES, event.key(), Json.encode(event));
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(statement)) {
            ps.executeUpdate();
        }
    }
}

package io.herald.rules;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class RoomResourceTest {

    @Test
    void createReadUpdateDeleteARoom() {
        Auth.admin().contentType("application/json").body("{\"matrix_room_id\":\"!abc:example.org\",\"account\":\"bot\"}")
                .put("/v1/rooms/crud-room")
                .then().statusCode(201).body("room", equalTo("crud-room"))
                .body("matrix_room_id", equalTo("!abc:example.org")).body("account", equalTo("bot"));

        Auth.admin().get("/v1/rooms/crud-room").then().statusCode(200).body("account", equalTo("bot"));
        Auth.admin().get("/v1/rooms").then().statusCode(200).body("room", hasItem("crud-room"));

        Auth.admin().contentType("application/json").body("{}")
                .put("/v1/rooms/crud-room")
                .then().statusCode(200).body("matrix_room_id", nullValue());

        Auth.admin().delete("/v1/rooms/crud-room").then().statusCode(204);
        Auth.admin().get("/v1/rooms/crud-room").then().statusCode(404)
                .contentType("application/problem+json").body("detail", equalTo("no room 'crud-room'"));
        Auth.admin().delete("/v1/rooms/crud-room").then().statusCode(404);
    }

    @Test
    void roomIdsOfRoomVersion12HaveNoServerPart() {
        // Synapse 1.160 creates rooms of version 12 by default: "!" and the create event's hash, no ":server"
        String v12 = "!GGsK0lXP3cPs7k4G_1rZqRjZ3rFzVhX4nWm0g2yYc4Q";
        Auth.admin().contentType("application/json").body("{\"matrix_room_id\":\"" + v12 + "\",\"account\":\"bot\"}")
                .put("/v1/rooms/v12-room")
                .then().statusCode(201).body("matrix_room_id", equalTo(v12));
        Auth.admin().get("/v1/rooms/v12-room").then().statusCode(200).body("matrix_room_id", equalTo(v12));
        for (String invalid : new String[] {"!", "!abc:", "!a b", "#alias:example.org", "abc"}) {
            Auth.admin().contentType("application/json").body("{\"matrix_room_id\":\"" + invalid + "\",\"account\":\"bot\"}")
                    .put("/v1/rooms/v12-bad")
                    .then().statusCode(400).body("errors.field", hasItem("matrix_room_id"));
        }
        Auth.admin().delete("/v1/rooms/v12-room").then().statusCode(204);
    }

    @Test
    void invalidRoomsAreRefusedWithTheField() {
        Auth.admin().contentType("application/json").body("{\"matrix_room_id\":\"not-a-room-id\",\"account\":\"bot\"}")
                .put("/v1/rooms/bad-link")
                .then().statusCode(400).body("errors.field", hasItem("matrix_room_id"));
        Auth.admin().contentType("application/json").body("{\"matrix_room_id\":\"!abc:example.org\"}")
                .put("/v1/rooms/half-link")
                .then().statusCode(400).body("errors.field", hasItem("link_complete"));
        Auth.admin().contentType("application/json").body("{}")
                .put("/v1/rooms/has space")
                .then().statusCode(400).body("errors.field", hasItem("room"));
        Auth.admin().get("/v1/rooms/half-link").then().statusCode(404);
    }
}

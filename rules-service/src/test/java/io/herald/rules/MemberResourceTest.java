package io.herald.rules;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class MemberResourceTest {

    @Test
    void addUpdateListAndRemoveMembers() {
        Auth.admin().contentType("application/json").body("{}").put("/v1/rooms/members-crud").then().statusCode(201);
        Auth.admin().contentType("application/json").body("{\"display_name\":\"Alice\",\"power_level\":100}")
                .put("/v1/rooms/members-crud/members/@alice:example.org")
                .then().statusCode(201).body("user_id", equalTo("@alice:example.org"))
                .body("display_name", equalTo("Alice")).body("power_level", equalTo(100));
        Auth.admin().contentType("application/json").body("{\"display_name\":\"Alice A.\"}")
                .put("/v1/rooms/members-crud/members/@alice:example.org")
                .then().statusCode(200).body("power_level", equalTo(0));
        Auth.admin().contentType("application/json").body("{}")
                .put("/v1/rooms/members-crud/members/@bob:example.org").then().statusCode(201);

        Auth.admin().get("/v1/rooms/members-crud/members").then().statusCode(200)
                .body("user_id", contains("@alice:example.org", "@bob:example.org"))
                .body("display_name", contains("Alice A.", null));

        Auth.admin().delete("/v1/rooms/members-crud/members/@bob:example.org").then().statusCode(204);
        Auth.admin().delete("/v1/rooms/members-crud/members/@bob:example.org").then().statusCode(404)
                .contentType("application/problem+json");
        Auth.admin().get("/v1/rooms/members-crud/members").then().body("user_id", contains("@alice:example.org"));

        // members go with their room
        Auth.admin().delete("/v1/rooms/members-crud").then().statusCode(204);
        Auth.admin().contentType("application/json").body("{}").put("/v1/rooms/members-crud").then().statusCode(201);
        Auth.admin().get("/v1/rooms/members-crud/members").then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void invalidMembersAreRefused() {
        Auth.admin().contentType("application/json").body("{}").put("/v1/rooms/members-bad").then().statusCode(201);
        Auth.admin().contentType("application/json").body("{}").put("/v1/rooms/members-bad/members/alice")
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("user_id"));
        Auth.admin().contentType("application/json").body("{\"power_level\":\"high\"}")
                .put("/v1/rooms/members-bad/members/@alice:example.org").then().statusCode(400);
        Auth.admin().contentType("application/json").body("{\"power_level\":9007199254740992}")
                .put("/v1/rooms/members-bad/members/@alice:example.org").then().statusCode(400)
                .body("errors.field", hasItem("power_level"));
        Auth.admin().contentType("application/json").body("{}").put("/v1/rooms/no-such-room/members/@alice:example.org")
                .then().statusCode(404).body("detail", equalTo("no room 'no-such-room'"));
        Auth.admin().get("/v1/rooms/no-such-room/members").then().statusCode(404);
        // what PostgreSQL could not store is refused, not a 500
        Auth.admin().contentType("application/json").body("{}")
                .put("/v1/rooms/members-bad/members/@" + "a".repeat(250) + ":example.org").then().statusCode(400)
                .body("errors.field", hasItem("user_id"));
        Auth.admin().contentType("application/json").body("{\"display_name\":\"Al\\u0000ice\"}")
                .put("/v1/rooms/members-bad/members/@alice:example.org").then().statusCode(400)
                .body("errors.field", hasItem("display_name"));
        Auth.admin().urlEncodingEnabled(false).contentType("application/json").body("{}")
                .put("/v1/rooms/members-bad/members/@al%00ice:example.org").then().statusCode(400);
        Auth.admin().urlEncodingEnabled(false).get("/v1/rooms/members%00bad/members").then().statusCode(404);
        Auth.admin().urlEncodingEnabled(false).get("/v1/rooms/members%00bad").then().statusCode(404);
        Auth.admin().urlEncodingEnabled(false).delete("/v1/rooms/members-bad/members/@al%00ice:example.org").then()
                .statusCode(404);
        Auth.admin().get("/v1/rooms/members-bad/members").then().statusCode(200).body("size()", equalTo(0));
    }
}

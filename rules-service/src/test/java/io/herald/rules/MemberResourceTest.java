package io.herald.rules;

import static io.restassured.RestAssured.given;
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
        given().contentType("application/json").body("{}").put("/v1/rooms/members-crud").then().statusCode(201);
        given().contentType("application/json").body("{\"display_name\":\"Alice\",\"power_level\":100}")
                .put("/v1/rooms/members-crud/members/@alice:example.org")
                .then().statusCode(201).body("user_id", equalTo("@alice:example.org"))
                .body("display_name", equalTo("Alice")).body("power_level", equalTo(100));
        given().contentType("application/json").body("{\"display_name\":\"Alice A.\"}")
                .put("/v1/rooms/members-crud/members/@alice:example.org")
                .then().statusCode(200).body("power_level", equalTo(0));
        given().contentType("application/json").body("{}")
                .put("/v1/rooms/members-crud/members/@bob:example.org").then().statusCode(201);

        given().get("/v1/rooms/members-crud/members").then().statusCode(200)
                .body("user_id", contains("@alice:example.org", "@bob:example.org"))
                .body("display_name", contains("Alice A.", null));

        given().delete("/v1/rooms/members-crud/members/@bob:example.org").then().statusCode(204);
        given().delete("/v1/rooms/members-crud/members/@bob:example.org").then().statusCode(404)
                .contentType("application/problem+json");
        given().get("/v1/rooms/members-crud/members").then().body("user_id", contains("@alice:example.org"));

        // members go with their room
        given().delete("/v1/rooms/members-crud").then().statusCode(204);
        given().contentType("application/json").body("{}").put("/v1/rooms/members-crud").then().statusCode(201);
        given().get("/v1/rooms/members-crud/members").then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void invalidMembersAreRefused() {
        given().contentType("application/json").body("{}").put("/v1/rooms/members-bad").then().statusCode(201);
        given().contentType("application/json").body("{}").put("/v1/rooms/members-bad/members/alice")
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("user_id"));
        given().contentType("application/json").body("{\"power_level\":\"high\"}")
                .put("/v1/rooms/members-bad/members/@alice:example.org").then().statusCode(400);
        given().contentType("application/json").body("{\"power_level\":9007199254740992}")
                .put("/v1/rooms/members-bad/members/@alice:example.org").then().statusCode(400)
                .body("errors.field", hasItem("power_level"));
        given().contentType("application/json").body("{}").put("/v1/rooms/no-such-room/members/@alice:example.org")
                .then().statusCode(404).body("detail", equalTo("no room 'no-such-room'"));
        given().get("/v1/rooms/no-such-room/members").then().statusCode(404);
        // what PostgreSQL could not store is refused, not a 500
        given().contentType("application/json").body("{}")
                .put("/v1/rooms/members-bad/members/@" + "a".repeat(250) + ":example.org").then().statusCode(400)
                .body("errors.field", hasItem("user_id"));
        given().contentType("application/json").body("{\"display_name\":\"Al\\u0000ice\"}")
                .put("/v1/rooms/members-bad/members/@alice:example.org").then().statusCode(400)
                .body("errors.field", hasItem("display_name"));
        given().urlEncodingEnabled(false).contentType("application/json").body("{}")
                .put("/v1/rooms/members-bad/members/@al%00ice:example.org").then().statusCode(400);
        given().urlEncodingEnabled(false).get("/v1/rooms/members%00bad/members").then().statusCode(404);
        given().urlEncodingEnabled(false).get("/v1/rooms/members%00bad").then().statusCode(404);
        given().urlEncodingEnabled(false).delete("/v1/rooms/members-bad/members/@al%00ice:example.org").then()
                .statusCode(404);
        given().get("/v1/rooms/members-bad/members").then().statusCode(200).body("size()", equalTo(0));
    }
}

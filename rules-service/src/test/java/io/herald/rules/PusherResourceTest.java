package io.herald.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.model.Request.Method;
import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.MatrixSpec;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class PusherResourceTest {

    private static final String SET = "/_matrix/client/v3/pushers/set";
    private static final String LIST = "/_matrix/client/v3/pushers";

    static String pusher(String appId, String pushkey, String url, String extra) {
        return "{\"kind\":\"http\",\"app_id\":\"" + appId + "\",\"pushkey\":\"" + pushkey + "\","
                + "\"app_display_name\":\"App\",\"device_display_name\":\"Phone\",\"lang\":\"en\","
                + "\"data\":{\"url\":\"" + url + "\",\"format\":\"event_id_only\",\"custom\":7}" + extra + "}";
    }

    static ExtractableResponse<Response> set(String user, String body) {
        return Auth.admin().contentType("application/json").body(body).post("/v1/users/" + user + "/pushers/set").then().extract();
    }

    static ExtractableResponse<Response> list(String user) {
        return Matrix.conforms(MatrixSpec.PUSHERS, Method.GET, LIST,
                Auth.admin().get("/v1/users/" + user + "/pushers").then().statusCode(200).extract());
    }

    @Test
    void setListReplaceAndDeletePushers() {
        String alice = "@p-alice:example.org";
        String bob = "@p-bob:example.org";
        String url = "https://gw.example.org/_matrix/push/v1/notify";
        Matrix.conforms(MatrixSpec.PUSHERS, Method.POST, SET, set(alice, pusher("com.example.app", "key-1", url, "")));
        assertThat(list(alice).jsonPath().getList("pushers.pushkey", String.class)).containsExactly("key-1");
        assertThat(list(alice).jsonPath().getString("pushers[0].data.url")).isEqualTo(url);
        assertThat(list(alice).jsonPath().getInt("pushers[0].data.custom")).isEqualTo(7);

        // append=true: Bob gets the same pushkey too; append=false (default): the others lose it
        assertThat(set(bob, pusher("com.example.app", "key-1", url, ",\"append\":true")).statusCode()).isEqualTo(200);
        assertThat(list(alice).jsonPath().getList("pushers")).hasSize(1);
        assertThat(list(bob).jsonPath().getList("pushers")).hasSize(1);
        assertThat(set(bob, pusher("com.example.app", "key-1", "http://other.example.org/_matrix/push/v1/notify", "")).statusCode()).isEqualTo(200);
        assertThat(list(alice).jsonPath().getList("pushers")).isEmpty();
        assertThat(list(bob).jsonPath().getString("pushers[0].data.url")).isEqualTo("http://other.example.org/_matrix/push/v1/notify");

        // kind null deletes
        Matrix.conforms(MatrixSpec.PUSHERS, Method.POST, SET,
                set(bob, "{\"kind\":null,\"app_id\":\"com.example.app\",\"pushkey\":\"key-1\"}"));
        assertThat(list(bob).jsonPath().getList("pushers")).isEmpty();
    }

    @Test
    void invalidPushersAreRefusedWithMatrixErrors() {
        String user = "@p-errors:example.org";
        assertError(set(user, "{\"kind\":\"http\",\"app_id\":\"a\",\"pushkey\":\"k\"}"), "M_MISSING_PARAM",
                "Missing parameters: app_display_name, device_display_name, lang, data");
        assertError(set(user, "{\"app_id\":\"a\",\"pushkey\":\"k\"}"), "M_MISSING_PARAM", "Missing parameters: kind");
        assertError(set(user, pusher("a", "k", "ftp://gw.example.org/_matrix/push/v1/notify", "")), "M_INVALID_PARAM", null);
        assertError(set(user, pusher("a", "k", "https://gw.example.org/notify", "")), "M_INVALID_PARAM", null);
        assertError(set(user, pusher("a", "k", "not a url", "")), "M_INVALID_PARAM", null);
        assertError(set(user, pusher("a", "k", "https://gw.example.org/_matrix/push/v1/notify", "")
                .replace("\"kind\":\"http\"", "\"kind\":\"email\"")), "M_INVALID_PARAM", null);
        assertError(set(user, pusher("a".repeat(65), "k", "https://gw.example.org/_matrix/push/v1/notify", "")), "M_INVALID_PARAM", null);
        assertError(set(user, "{\"kind\":\"http\""), "M_NOT_JSON", null);
        assertThat(list(user).jsonPath().getList("pushers")).isEmpty();
    }

    @Test
    void pushersThatWouldMakeUndeliverableDeliveriesAreRefusedWhenRegistered() {
        // Everything a pusher puts into its deliveries (app id, pushkey, URL, data) is bounded here, so that the
        // dispatcher can store every delivery it gets; control characters (NUL) would not even reach the database.
        String user = "@p-limits:example.org";
        String url = "https://gw.example.org/_matrix/push/v1/notify";
        assertError(set(user, pusher("a", "k".repeat(513), url, "")), "M_INVALID_PARAM",
                "pushkey must be at most 512 bytes");
        assertError(set(user, pusher("a", "é".repeat(257), url, "")), "M_INVALID_PARAM",
                "pushkey must be at most 512 bytes");
        assertError(set(user, pusher("a", "k\\u0000k", url, "")), "M_INVALID_PARAM",
                "pushkey must not contain control characters (U+0000 at index 1)");
        assertError(set(user, pusher("a\\u0007", "k", url, "")), "M_INVALID_PARAM", null);
        assertError(set(user, pusher("a", "k", "https://gw.example.org/" + "x".repeat(2048) + "/_matrix/push/v1/notify",
                "")), "M_INVALID_PARAM", null);
        assertError(set(user, pusher("a", "k", url, "").replace("\"custom\":7", "\"custom\":\"" + "x".repeat(16_400) + "\"")),
                "M_INVALID_PARAM", null);
        assertError(set(user, pusher("a", "k", url, "").replace("\"App\"", "\"A\\u0000pp\"")), "M_INVALID_PARAM",
                "app_display_name must not contain control characters (U+0000 at index 1)");
        assertError(set(user, pusher("a", "k", url, "").replace("\"lang\":\"en\"", "\"lang\":\"" + "e".repeat(65) + "\"")),
                "M_INVALID_PARAM", "lang must be at most 64 characters");
        assertError(set(user, pusher("a", "k", url, ",\"profile_tag\":\"t\\u0000\"")), "M_INVALID_PARAM", null);
        assertThat(list(user).jsonPath().getList("pushers")).isEmpty();

        // at the limits: accepted
        String longUrl = "https://gw.example.org/" + "x".repeat(2048 - 23 - 23) + "/_matrix/push/v1/notify";
        assertThat(longUrl).hasSize(2048);
        assertThat(set(user, pusher("a".repeat(64), "k".repeat(512), longUrl, "")).statusCode()).isEqualTo(200);
        assertThat(pushkeys(user)).containsExactly("k".repeat(512));
    }

    @Test
    void invalidUserIdsAreRefusedNotStored() {
        String url = "https://gw.example.org/_matrix/push/v1/notify";
        assertThat(set("@" + "a".repeat(250) + ":example.org", pusher("a", "k", url, "")).statusCode()).isEqualTo(400);
        // %00 in the path is a NUL in the user id
        Auth.admin().urlEncodingEnabled(false).contentType("application/json").body(pusher("a", "k", url, ""))
                .post("/v1/users/@a%00b:example.org/pushers/set").then().statusCode(400)
                .body("errcode", org.hamcrest.Matchers.equalTo("M_INVALID_PARAM"));
        Auth.admin().urlEncodingEnabled(false).get("/v1/users/@a%00b:example.org/pushers").then().statusCode(400);
    }

    private static void assertError(ExtractableResponse<Response> r, String errcode, String error) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(400);
        assertThat(r.jsonPath().getString("errcode")).isEqualTo(errcode);
        if (error != null) {
            assertThat(r.jsonPath().getString("error")).isEqualTo(error);
        }
        Matrix.conforms(MatrixSpec.PUSHERS, Method.POST, SET, r);
    }

    static List<String> pushkeys(String user) {
        return list(user).jsonPath().getList("pushers.pushkey", String.class);
    }
}

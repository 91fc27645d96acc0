package io.herald.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.Topics;
import io.herald.testsupport.EmbeddedKafka;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Herald against a real Synapse (issue #6): the three packaged services as processes on the embedded broker and
 * PostgreSQL, the homeserver a Synapse started by {@code deploy/synapse/synapse.sh} (see docs/synapse.md). The bot
 * ({@code @bot:localhost:8008}, not admin) and the user alice (admin) were created with Synapse's own
 * {@code register_new_matrix_user}; alice creates the rooms, invites the bot and reads what arrived with
 * {@code GET /_matrix/client/v3/rooms/{roomId}/messages}.
 *
 * <p>Skipped (with the way to run it) when {@code HERALD_SYNAPSE_URL} is not set; failed instead when
 * {@code HERALD_REQUIRE_SYNAPSE=1} (CI). Every run uses fresh rooms, accounts and subjects, so it can run again and
 * again against the same Synapse.
 */
class SynapseInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String HOW_TO_RUN = "as root: deploy/synapse/synapse.sh start && eval \"$(deploy/synapse/synapse.sh env)\","
            + " then run the test again (docs/synapse.md)";
    /** This run's tag: in account ids, room keys, aliases and message texts. */
    private static final String RUN = Long.toString(System.currentTimeMillis(), 36)
            + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
    /**
     * Room version 12: room ids without a server part ({@code !} and 43 characters of unpadded base64url). Synapse
     * 1.160 supports it but still creates version 11 by default, so the tests that need it ask for it.
     */
    private static final String V12 = "12";

    /** Why the tests are skipped (no Synapse), or null. */
    private static String skipped;
    private static String synapse;
    private static String serverName;
    private static String botUserId;
    private static String botPassword;
    private static Path synapseLog;
    private static String aliceToken;
    private static ServiceProcess ingest;
    private static ServiceProcess rules;
    private static ServiceProcess dispatcher;
    private static String apiKey;
    /** The dispatcher account of the bot that most tests post as (logged in through discovery). */
    private static String botAccount;

    @BeforeAll
    static void startEverything() throws Exception {
        synapse = env("HERALD_SYNAPSE_URL", null);
        if (synapse == null) {
            String message = "no Synapse: HERALD_SYNAPSE_URL is not set; to run this test: " + HOW_TO_RUN;
            if ("1".equals(System.getenv("HERALD_REQUIRE_SYNAPSE"))) {
                fail("HERALD_REQUIRE_SYNAPSE=1 but " + message);
            }
            // Reported per test (Skipped: 7, with the reason) rather than as an aborted class that counts nothing
            System.err.println("SynapseInteropTest skipped: " + message);
            skipped = message;
            return;
        }
        synapse = synapse.replaceAll("/+$", "");
        serverName = env("HERALD_SYNAPSE_SERVER_NAME", "localhost:" + URI.create(synapse).getPort());
        botUserId = env("HERALD_SYNAPSE_BOT", "@bot:" + serverName);
        botPassword = env("HERALD_SYNAPSE_BOT_PASSWORD", "botpass");
        String log = env("HERALD_SYNAPSE_LOG", null);
        synapseLog = log != null && Files.isReadable(Path.of(log)) ? Path.of(log) : null;

        Answer versions;
        try {
            versions = matrix("GET", "/_matrix/client/versions", null, null);
        } catch (IOException e) {
            throw new AssertionError("Synapse at " + synapse + " does not answer (" + e + "); " + HOW_TO_RUN, e);
        }
        assertThat(versions.status()).as("GET %s/_matrix/client/versions: %s", synapse, versions.text()).isEqualTo(200);
        aliceToken = login(env("HERALD_SYNAPSE_ADMIN", "@alice:" + serverName),
                env("HERALD_SYNAPSE_ADMIN_PASSWORD", "alicepass"), "HERALDINTEROPALICE");

        SynapseStack.Services services = SynapseStack.start(synapse, serverName);
        ingest = services.ingest();
        rules = services.rules();
        dispatcher = services.dispatcher();
        apiKey = given().contentType("application/json")
                .body("{\"tenant\":\"interop\",\"sender\":\"@herald:" + serverName + "\",\"rooms\":[\"*\"]}")
                .post(ingest.url() + "/v1/admin/api-keys").then().statusCode(201).extract().path("key");

        botAccount = "interop-bot-" + RUN;
        given().contentType("application/json")
                .body(Json.encode(Map.of("id", botAccount, "user_id", botUserId, "password", botPassword,
                        "device_id", "HERALDINTEROP")))
                .post(dispatcher.url() + "/v1/matrix-accounts").then().statusCode(201);
    }

    @BeforeEach
    void synapseIsThere() {
        Assumptions.assumeTrue(skipped == null, skipped);
    }

    // The services are SynapseStack's: shared with SynapseDifferentialTest, stopped when the JVM ends.

    // ---------------------------------------------------------------------------------------------------------------
    // (1) and (2): logging in through Herald

    @Test
    void aWrongPasswordIsRefusedWithSynapsesForbidden() {
        String id = "interop-wrong-" + RUN;
        String wrong = "not-" + botPassword + "-" + RUN;
        String answer = given().contentType("application/json")
                .body(Json.encode(Map.of("id", id, "user_id", botUserId, "password", wrong)))
                .post(dispatcher.url() + "/v1/matrix-accounts")
                .then().statusCode(403).contentType("application/problem+json")
                .body("errcode", equalTo("M_FORBIDDEN"))
                .body("detail", containsString("login of " + botUserId))
                .body("detail", containsString("HTTP 403 M_FORBIDDEN"))
                .extract().asString();
        assertThat(answer).doesNotContain(wrong);
        given().get(dispatcher.url() + "/v1/matrix-accounts/" + id).then().statusCode(404);
    }

    @Test
    void loginFindsTheHomeserverThroughTheWellKnownAndConfirmsTheUser() throws Exception {
        // What discovery of the user id's domain reads: Synapse's own /.well-known/matrix/client
        Answer wellKnown = http("GET", "http://" + serverName + "/.well-known/matrix/client", null, null);
        assertThat(wellKnown.status()).as(wellKnown.text()).isEqualTo(200);
        assertThat(wellKnown.json()).extractingByKey("m.homeserver").asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("base_url", synapse + "/");

        String id = "interop-login-" + RUN;
        String device = "INTEROP" + RUN.toUpperCase(java.util.Locale.ROOT);
        given().contentType("application/json")
                .body(Json.encode(Map.of("id", id, "user_id", botUserId, "password", botPassword, "device_id", device)))
                .post(dispatcher.url() + "/v1/matrix-accounts")
                .then().statusCode(201)
                // the well-known's base URL (127.0.0.1), not the domain's origin http://localhost:8008
                .body("homeserver", equalTo(synapse))
                .body("user_id", equalTo(botUserId))
                .body("device_id", equalTo(device))
                .body("relogin", equalTo(false));

        // Synapse has the device Herald logged in with (and Herald stored the account only after whoami named the bot)
        String devicePath = "/_synapse/admin/v2/users/" + enc(botUserId) + "/devices/" + enc(device);
        Answer onSynapse = matrix("GET", devicePath, aliceToken, null);
        assertThat(onSynapse.status()).as(onSynapse.text()).isEqualTo(200);
        assertThat(onSynapse.json()).containsEntry("device_id", device).containsEntry("display_name", "Herald");

        // tidy: the device (and the token with it) and the account
        assertThat(matrix("DELETE", devicePath, aliceToken, null).status()).isEqualTo(200);
        given().delete(dispatcher.url() + "/v1/matrix-accounts/" + id).then().statusCode(204);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // (3) joining

    @Test
    void joiningARoomNeedsAnInviteThenAcceptsIt() throws Exception {
        String aliasName = "interop-join-" + RUN;
        String roomId = createRoom("interop join " + RUN, Map.of("room_alias_name", aliasName, "room_version", V12));
        assertThat(roomId).as("a room id of version 12").matches("![A-Za-z0-9_-]{43}");

        given().contentType("application/json").body(Json.encode(Map.of("room", roomId)))
                .post(dispatcher.url() + "/v1/matrix-accounts/" + botAccount + "/join")
                .then().statusCode(403).contentType("application/problem+json")
                .body("errcode", equalTo("M_FORBIDDEN"))
                .body("detail", containsString("HTTP 403 M_FORBIDDEN"));

        invite(roomId, botUserId);
        String alias = "#" + aliasName + ":" + serverName;
        given().contentType("application/json").body(Json.encode(Map.of("room", alias)))
                .post(dispatcher.url() + "/v1/matrix-accounts/" + botAccount + "/join")
                .then().statusCode(200).body("room_id", equalTo(roomId));

        Answer members = matrix("GET", "/_matrix/client/v3/rooms/" + enc(roomId) + "/joined_members", aliceToken, null);
        assertThat(members.status()).as(members.text()).isEqualTo(200);
        assertThat(members.json()).extractingByKey("joined").asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.MAP).containsKey(botUserId);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // (4) the whole pipeline

    @Test
    void notificationsArriveInTheRoomAsSentPlainSilentAndMarkdown() throws Exception {
        String roomId = roomWithBot("pipeline", V12);
        String room = "interop-" + RUN + "-pipeline";
        link(room, roomId, botAccount);
        String tag = "p" + RUN;

        String plainId = postNotification(room, Map.of("subject", "Backup failed <" + tag + ">",
                "body", "NAS <nas1> could not reach the target", "link", "https://nas1.local/backup"));
        String silentId = postNotification(room, Map.of("body", "nightly job done " + tag + "-silent", "silent", true));
        String markdownId = postNotification(room, Map.of("subject", "Deploy " + tag + "-md",
                "body", "**prod** is *green*\n\n- api\n- web\n\n`v1.2.3`", "format", "markdown"));

        Map<String, Object> plain = awaitOneEvent(roomId, "Backup failed <" + tag + ">");
        assertThat(plain).containsEntry("sender", botUserId).containsEntry("type", "m.room.message");
        assertThat(plain.get("content")).isEqualTo(Map.of(
                "msgtype", "m.text",
                "body", "Backup failed <" + tag + ">\n\nNAS <nas1> could not reach the target\n\nhttps://nas1.local/backup",
                "format", "org.matrix.custom.html",
                "formatted_body", "<strong>Backup failed &lt;" + tag + "&gt;</strong><br><br>NAS &lt;nas1&gt; could not"
                        + " reach the target<br><br><a href=\"https://nas1.local/backup\">https://nas1.local/backup</a>"));

        Map<String, Object> silent = awaitOneEvent(roomId, tag + "-silent");
        assertThat(silent.get("content")).isEqualTo(Map.of(
                "msgtype", "m.notice",
                "body", "nightly job done " + tag + "-silent",
                "format", "org.matrix.custom.html",
                "formatted_body", "nightly job done " + tag + "-silent"));

        Map<String, Object> markdown = awaitOneEvent(roomId, tag + "-md");
        Map<String, Object> content = content(markdown);
        assertThat(content).containsEntry("msgtype", "m.text").containsEntry("format", "org.matrix.custom.html")
                .containsEntry("body", "Deploy " + tag + "-md\n\n**prod** is *green*\n\n- api\n- web\n\n`v1.2.3`");
        assertThat((String) content.get("formatted_body"))
                .startsWith("<strong>Deploy " + tag + "-md</strong><br>")
                .contains("<strong>prod</strong>", "<em>green</em>", "<li>api</li>", "<li>web</li>", "<code>v1.2.3</code>")
                .doesNotContain("**", "`");

        // in the order they were accepted, and the delivery log names the events Synapse created
        List<String> order = messages(roomId).stream().map(e -> (String) e.get("event_id"))
                .filter(List.of(plain.get("event_id"), silent.get("event_id"), markdown.get("event_id"))::contains).toList();
        assertThat(order).containsExactly((String) plain.get("event_id"), (String) silent.get("event_id"),
                (String) markdown.get("event_id"));
        assertThat(awaitLogged(deliveryId(plainId, roomId), null)).containsEntry("matrix_event_id", plain.get("event_id"));
        assertThat(awaitLogged(deliveryId(silentId, roomId), null)).containsEntry("matrix_event_id", silent.get("event_id"));
        assertThat(awaitLogged(deliveryId(markdownId, roomId), null))
                .containsEntry("matrix_event_id", markdown.get("event_id"));
    }

    @Test
    void anEditReplacesTheMessageAndARedactionRedactsIt() throws Exception {
        String roomId = roomWithBot("edit", V12);
        String room = "interop-" + RUN + "-edit";
        // a room of the API key's tenant: a key sees the status of its own tenant's rooms only
        given().contentType("application/json").body(Json.encode(Map.of("matrix_room_id", roomId, "account",
                botAccount, "tenant", "interop"))).put(rules.url() + "/v1/rooms/" + room).then().statusCode(201);
        String marker = "disk almost full " + RUN;
        String id = postNotification(room, Map.of("subject", "nas1", "body", marker));
        String eventId = (String) awaitOneEvent(roomId, marker).get("event_id");
        await().atMost(WAIT).until(() -> "delivered".equals(status(id).get("state")));

        String edited = "disk cleaned up " + RUN;
        String editId = given().header("Authorization", "Bearer " + apiKey).contentType("application/json")
                .body(Json.encode(Map.of("subject", "nas1", "body", edited)))
                .put(ingest.url() + "/v1/notifications/" + id).then().statusCode(202).extract().path("id");
        await().atMost(WAIT).until(() -> "delivered".equals(status(editId).get("state")));
        // Synapse relates the edit to the original: the room shows the edited text
        Answer replacements = matrix("GET", "/_matrix/client/v1/rooms/" + enc(roomId) + "/relations/" + enc(eventId)
                + "/m.replace", aliceToken, null);
        assertThat(replacements.status()).as(replacements.text()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> chunk = (List<Map<String, Object>>) replacements.json().get("chunk");
        assertThat(chunk).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> newContent = (Map<String, Object>) content(chunk.get(0)).get("m.new_content");
        assertThat(newContent).containsEntry("body", "nas1\n\n" + edited).containsEntry("msgtype", "m.text");
        assertThat(content(chunk.get(0))).containsEntry("body", "* nas1\n\n" + edited)
                .doesNotContainKey("io.herald.relation");
        assertThat(chunk.get(0)).containsEntry("sender", botUserId);

        String redactionId = given().header("Authorization", "Bearer " + apiKey).queryParam("reason", "wrong room")
                .delete(ingest.url() + "/v1/notifications/" + id).then().statusCode(202).extract().path("id");
        await().atMost(WAIT).until(() -> "delivered".equals(status(redactionId).get("state")));
        Answer original = matrix("GET", "/_matrix/client/v3/rooms/" + enc(roomId) + "/event/" + enc(eventId),
                aliceToken, null);
        assertThat(original.status()).as(original.text()).isEqualTo(200);
        assertThat(content(original.json())).as("the redacted event keeps no content").isEmpty();
        @SuppressWarnings("unchecked")
        Map<String, Object> unsigned = (Map<String, Object>) original.json().get("unsigned");
        assertThat(unsigned).containsKey("redacted_because");
        @SuppressWarnings("unchecked")
        Map<String, Object> because = (Map<String, Object>) unsigned.get("redacted_because");
        assertThat(because).containsEntry("sender", botUserId);
        assertThat(content(because)).containsEntry("reason", "wrong room");
    }

    /** A notification's status as its API key sees it (ingest, from the dispatcher). */
    private static Map<String, Object> status(String notificationId) {
        return given().header("Authorization", "Bearer " + apiKey).get(ingest.url() + "/v1/notifications/"
                + notificationId).then().statusCode(200).extract().as(Map.class);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // (5) replays do not post twice

    @Test
    void aRepublishedDeliveryIsSentAgainWithTheSameTxnIdAndPostsOnce() throws Exception {
        String roomId = roomWithBot("replay", V12);
        String room = "interop-" + RUN + "-replay";
        link(room, roomId, botAccount);
        String marker = "replay me " + RUN;
        String deliveryId = deliveryId(postNotification(room, Map.of("body", marker)), roomId);
        String txnId = "herald-" + deliveryId;

        String eventId = (String) awaitOneEvent(roomId, marker).get("event_id");
        Map<String, Object> first = awaitLogged(deliveryId, null);
        assertThat(first).containsEntry("matrix_event_id", eventId);
        if (synapseLog != null) {
            await().atMost(WAIT).until(() -> sends(txnId).size() == 1);
        }

        // The same record again on herald.deliveries (as a redelivery after a crash would bring it): same key, value
        // and headers, so the same delivery id and txnId.
        ConsumerRecord<String, String> record = published(deliveryId);
        try (KafkaProducer<String, String> producer = TestKafka.producer(EmbeddedKafka.bootstrapServers())) {
            producer.send(new ProducerRecord<>(Topics.DELIVERIES, null, record.key(), record.value(), record.headers()))
                    .get(30, TimeUnit.SECONDS);
        }

        // The dispatcher sent it again (the delivery log row is written anew) and Synapse answered with its event
        Map<String, Object> again = awaitLogged(deliveryId, (String) first.get("updated_at"));
        assertThat(again).containsEntry("state", "delivered").containsEntry("matrix_event_id", eventId);
        assertThat(eventsWith(roomId, marker)).hasSize(1);
        if (synapseLog != null) {
            await().atMost(WAIT).until(() -> sends(txnId).size() == 2);
            assertThat(sends(txnId)).allSatisfy(line -> assertThat(line).contains(" 200 \"PUT "));
        } else {
            System.err.println("SynapseInteropTest: HERALD_SYNAPSE_LOG not readable; the second PUT is seen in the "
                    + "delivery log only");
        }
    }

    @Test
    void aDeadLetterOfSynapsesRefusalIsReplayedOnceTheBotIsInTheRoom() throws Exception {
        String roomId = createRoom("interop dead letter " + RUN, Map.of());
        String room = "interop-" + RUN + "-dlq";
        link(room, roomId, botAccount);
        String marker = "dead, then delivered " + RUN;
        String deliveryId = deliveryId(postNotification(room, Map.of("body", marker)), roomId);

        // The bot is not in the room: Synapse refuses with 403 M_FORBIDDEN, which is final, so a dead letter at once
        await().atMost(WAIT).until(() -> given().get(dispatcher.url() + "/v1/dead-letters/" + deliveryId).statusCode() == 200);
        given().get(dispatcher.url() + "/v1/dead-letters/" + deliveryId).then()
                .body("reason", containsString("403 M_FORBIDDEN"))
                .body("last_status", equalTo(403));
        assertThat(eventsWith(roomId, marker)).isEmpty();

        invite(roomId, botUserId);
        given().contentType("application/json").body(Json.encode(Map.of("room", roomId)))
                .post(dispatcher.url() + "/v1/matrix-accounts/" + botAccount + "/join").then().statusCode(200);
        given().post(dispatcher.url() + "/v1/dead-letters/" + deliveryId + "/replay").then().statusCode(202)
                .body("replayed", equalTo(1));

        // Synapse did not keep the refused txnId: the replay, with the same txnId, creates the event (once)
        Map<String, Object> event = awaitOneEvent(roomId, marker);
        assertThat(awaitLoggedState(deliveryId, "delivered")).containsEntry("matrix_event_id", event.get("event_id"));
        assertThat(eventsWith(roomId, marker)).hasSize(1);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // (7) a Matrix user manages their own push rules with their own Synapse token

    @Test
    void aMatrixUserManagesOnlyTheirOwnPushRulesWithTheirOwnToken() throws Exception {
        String alice = env("HERALD_SYNAPSE_ADMIN", "@alice:" + serverName);
        String rule = rules.url() + "/v1/users/" + enc(alice) + "/pushrules/global/override/herald.interop." + RUN;
        Map<String, Object> body = Map.of("actions", List.of(), "conditions", List.of(Map.of("kind", "event_match",
                "key", "content.body", "pattern", "interop-" + RUN)));

        // alice, with her own token: as a homeserver would answer her
        assertThat(http("PUT", rule, aliceToken, body).status()).isEqualTo(200);
        Answer own = http("GET", rule, aliceToken, null);
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.json()).containsEntry("rule_id", "herald.interop." + RUN);

        // another real user's token on alice's rules
        String otherToken = login(botUserId, botPassword, "HERALDINTEROPOTHER");
        Answer other = http("PUT", rule, otherToken, body);
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.json()).containsEntry("errcode", "M_FORBIDDEN");
        // no token, and a token Synapse does not know
        Answer none = http("GET", rule, null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json()).containsEntry("errcode", "M_MISSING_TOKEN");
        Answer garbage = http("GET", rule, "syt_not_a_token_" + RUN, null);
        assertThat(garbage.status()).isEqualTo(401);
        assertThat(garbage.json()).containsEntry("errcode", "M_UNKNOWN_TOKEN");

        // a token alice logs out of at Synapse stops working once Herald's cache (1 s here) forgot it
        String session = login(alice, env("HERALD_SYNAPSE_ADMIN_PASSWORD", "alicepass"), "HERALDINTEROPLOGOUT");
        assertThat(http("GET", rule, session, null).status()).isEqualTo(200);
        assertThat(matrix("POST", "/_matrix/client/v3/logout", session, Map.of()).status()).isEqualTo(200);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300))
                .until(() -> http("GET", rule, session, null).status() == 401);
        assertThat(http("GET", rule, session, null).json()).containsEntry("errcode", "M_UNKNOWN_TOKEN");
        assertThat(http("DELETE", rule, aliceToken, null).status()).isEqualTo(200);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // (6) the herald command line against the stack and Synapse

    @Test
    void theCliLogsInJoinsLinksAndSends() throws Exception {
        String account = "interop-cli-" + RUN;
        String room = "interop-" + RUN + "-cli";
        // a room of Synapse's default version (11): the id with a server part
        String roomId = createRoom("interop cli " + RUN, Map.of("invite", List.of(botUserId)));
        assertThat(roomId).endsWith(":" + serverName);

        Cli wrong = cli("wrong-" + RUN + "\n", "matrix", "login", botUserId, "--id", account + "-wrong");
        assertThat(wrong.exit()).as(wrong.toString()).isEqualTo(2);
        assertThat(wrong.err()).contains("HTTP 403", "M_FORBIDDEN").doesNotContain("wrong-" + RUN);

        Cli login = cli(botPassword + "\n", "matrix", "login", botUserId, "--id", account);
        assertThat(login.exit()).as(login.toString()).isZero();
        assertThat(login.out()).contains("ID", "USER_ID", "HOMESERVER", account, botUserId, synapse, "HERALD")
                .doesNotContain(botPassword);

        Cli join = cli(null, "matrix", "join", account, roomId);
        assertThat(join.exit()).as(join.toString()).isZero();
        assertThat(join.out().strip()).isEqualTo("joined " + roomId);

        Cli link = cli(null, "rooms", "link", room, roomId, "--account", account);
        assertThat(link.exit()).as(link.toString()).isZero();
        assertThat(link.out()).contains(room, roomId, account);

        Cli badLink = cli(null, "rooms", "link", room, "#not-a-room-id:" + serverName, "--account", account);
        assertThat(badLink.exit()).as(badLink.toString()).isEqualTo(2);
        assertThat(badLink.err()).contains("HTTP 400", "matrix_room_id");

        String marker = "cli " + RUN;
        Cli send = cli(null, "send", room, "Sent by " + marker, "from **herald send**", "--markdown");
        assertThat(send.exit()).as(send.toString()).isZero();
        assertThat(send.out().strip()).matches("accepted \\S+");
        String notificationId = send.out().strip().substring("accepted ".length());

        Map<String, Object> event = awaitOneEvent(roomId, "Sent by " + marker);
        assertThat(event).containsEntry("sender", botUserId);
        assertThat(content(event)).containsEntry("msgtype", "m.text")
                .containsEntry("body", "Sent by " + marker + "\n\nfrom **herald send**");
        assertThat((String) content(event).get("formatted_body")).contains("<strong>herald send</strong>");
        assertThat(awaitLogged(deliveryId(notificationId, roomId, account), null))
                .containsEntry("matrix_event_id", event.get("event_id"));

        Cli accounts = cli(null, "matrix", "accounts", "--json");
        assertThat(accounts.exit()).as(accounts.toString()).isZero();
        assertThat(accounts.out()).contains("\"" + account + "\"");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Synapse, as alice

    private record Answer(int status, Map<String, Object> json, String text) {
    }

    private static Answer matrix(String method, String path, String token, Object body) throws IOException {
        return http(method, synapse + path, token, body);
    }

    @SuppressWarnings("unchecked")
    private static Answer http(String method, String url, String token, Object body) throws IOException {
        SynapseClient.Answer a = SynapseClient.raw(method, url, token, body == null ? null : Json.encode(body));
        Map<String, Object> json = a.json().isObject() ? Json.MAPPER.convertValue(a.json(), Map.class) : Map.of();
        return new Answer(a.status(), json, a.text());
    }

    private static String login(String userId, String password, String deviceId) throws IOException {
        Answer answer = matrix("POST", "/_matrix/client/v3/login", null, Map.of("type", "m.login.password",
                "identifier", Map.of("type", "m.id.user", "user", userId), "password", password, "device_id", deviceId));
        assertThat(answer.status()).as("login of %s: %s", userId, answer.text()).isEqualTo(200);
        return (String) answer.json().get("access_token");
    }

    /** alice creates a private room (Synapse's default room version unless {@code extra} names one). */
    private static String createRoom(String name, Map<String, Object> extra) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("preset", "private_chat", "name", name));
        body.putAll(extra);
        Answer answer = matrix("POST", "/_matrix/client/v3/createRoom", aliceToken, body);
        assertThat(answer.status()).as("createRoom: %s", answer.text()).isEqualTo(200);
        return (String) answer.json().get("room_id");
    }

    private static void invite(String roomId, String userId) throws IOException {
        Answer answer = matrix("POST", "/_matrix/client/v3/rooms/" + enc(roomId) + "/invite", aliceToken,
                Map.of("user_id", userId));
        assertThat(answer.status()).as("invite: %s", answer.text()).isEqualTo(200);
    }

    /** A fresh room (of the given version) alice invited the bot to, which the bot joined through Herald. */
    private static String roomWithBot(String purpose, String roomVersion) throws IOException {
        String roomId = createRoom("interop " + purpose + " " + RUN,
                Map.of("invite", List.of(botUserId), "room_version", roomVersion));
        given().contentType("application/json").body(Json.encode(Map.of("room", roomId)))
                .post(dispatcher.url() + "/v1/matrix-accounts/" + botAccount + "/join")
                .then().statusCode(200).body("room_id", equalTo(roomId));
        return roomId;
    }

    /** The room's {@code m.room.message} events as alice sees them, oldest first. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> messages(String roomId) throws IOException {
        Answer answer = matrix("GET", "/_matrix/client/v3/rooms/" + enc(roomId) + "/messages?dir=b&limit=100&filter="
                + enc("{\"types\":[\"m.room.message\"]}"), aliceToken, null);
        assertThat(answer.status()).as("messages: %s", answer.text()).isEqualTo(200);
        List<Map<String, Object>> events = new ArrayList<>((List<Map<String, Object>>) answer.json().get("chunk"));
        Collections.reverse(events);
        return events;
    }

    private static List<Map<String, Object>> eventsWith(String roomId, String text) throws IOException {
        return messages(roomId).stream().filter(e -> String.valueOf(content(e).get("body")).contains(text)).toList();
    }

    /** Waits for the event whose body contains {@code text}; there must be exactly one. */
    private static Map<String, Object> awaitOneEvent(String roomId, String text) throws IOException {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> !eventsWith(roomId, text).isEmpty());
        List<Map<String, Object>> events = eventsWith(roomId, text);
        assertThat(events).as("events with %s in %s", text, roomId).hasSize(1);
        return events.get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> content(Map<String, Object> event) {
        return (Map<String, Object>) event.get("content");
    }

    /** Synapse's access-log lines of {@code PUT …/send/m.room.message/<txnId>}. */
    private static List<String> sends(String txnId) throws IOException {
        try (var lines = Files.lines(synapseLog, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains("Processed request") && l.contains("\"PUT /_matrix/client/v3/rooms/")
                    && l.contains("/send/m.room.message/" + txnId + " ")).toList();
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Herald

    private static void link(String room, String roomId, String account) {
        given().contentType("application/json").body(Json.encode(Map.of("matrix_room_id", roomId, "account", account)))
                .put(rules.url() + "/v1/rooms/" + room).then().statusCode(201).body("matrix_room_id", equalTo(roomId));
    }

    private static String postNotification(String room, Map<String, Object> notification) {
        return given().header("Authorization", "Bearer " + apiKey).contentType("application/json")
                .body(Json.encode(notification))
                .post(ingest.url() + "/v1/rooms/" + room + "/notifications")
                .then().statusCode(202).extract().path("id");
    }

    private static String deliveryId(String notificationId, String roomId) {
        return deliveryId(notificationId, roomId, botAccount);
    }

    private static String deliveryId(String notificationId, String roomId, String account) {
        return Delivery.idFor(notificationId, Destination.room(account, roomId));
    }

    /** The delivery log's row once it says delivered (and, given {@code after}, was written again since). */
    private static Map<String, Object> awaitLogged(String deliveryId, String after) {
        return awaitLoggedState(deliveryId, "delivered", after);
    }

    private static Map<String, Object> awaitLoggedState(String deliveryId, String state) {
        return awaitLoggedState(deliveryId, state, null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> awaitLoggedState(String deliveryId, String state, String after) {
        Map<String, Object>[] row = new Map[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
            var response = given().get(dispatcher.url() + "/v1/deliveries/" + deliveryId);
            if (response.statusCode() != 200) {
                return false;
            }
            row[0] = Json.decode(response.asString(), Map.class);
            return state.equals(row[0].get("state")) && (after == null || !after.equals(row[0].get("updated_at")));
        });
        return row[0];
    }

    /** The record of {@code herald.deliveries} that carries this delivery. */
    private static ConsumerRecord<String, String> published(String deliveryId) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedKafka.bootstrapServers());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.DELIVERIES).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() != null && r.value().contains("\"" + deliveryId + "\"")) {
                        return r;
                    }
                }
                if (partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p))) {
                    break;
                }
            }
        }
        throw new AssertionError("delivery " + deliveryId + " not found in " + Topics.DELIVERIES);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the herald command line (cli/herald, which runs cli/target/herald-cli.jar) as its own process

    private record Cli(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    private static Cli cli(String stdin, String... args) throws Exception {
        Path repo = ServiceProcess.repoRoot();
        Path jar = repo.resolve("cli/target/herald-cli.jar");
        if (!Files.exists(jar)) {
            fail(jar + " is missing: package the cli module first (./mvnw -pl e2e-tests -am verify builds it)");
        }
        List<String> command = new ArrayList<>(List.of("sh", repo.resolve("cli/herald").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("HERALD_"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("HERALD_INGEST_URL", ingest.url());
        env.put("HERALD_RULES_URL", rules.url());
        env.put("HERALD_DISPATCHER_URL", dispatcher.url());
        env.put("HERALD_API_KEY", apiKey);
        env.put("HERALD_TOKEN", AdminToken.TOKEN); // the admin service token every call but send needs
        Path dir = Files.createDirectories(repo.resolve("e2e-tests/target/interop-cli"));
        env.put("HERALD_CONFIG", dir.resolve("no-config-file").toString()); // not the machine's ~/.config/herald
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("herald " + String.join(" ", args) + " did not finish within 90 s");
        }
        return new Cli(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static String env(String name, String defaultValue) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? defaultValue : value;
    }
}

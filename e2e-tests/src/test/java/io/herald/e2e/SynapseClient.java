package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.herald.common.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A small Matrix client of the real Synapse the differential tests run against ({@code deploy/synapse/synapse.sh}):
 * users made with the admin API (as alice), rooms, events, receipts, pushers, and any raw call (to compare answers).
 */
final class SynapseClient {

    /** An answer: status, the body as JSON (an empty object when it is none), the body as text. */
    record Answer(int status, JsonNode json, String text) {
        String errcode() {
            return json.path("errcode").isTextual() ? json.path("errcode").textValue() : null;
        }
    }

    /** A user of the test: id and access token. */
    record User(String id, String token) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    final String base;
    final String serverName;
    private final String adminToken;

    SynapseClient(String base, String serverName, String adminToken) {
        this.base = base.replaceAll("/+$", "");
        this.serverName = serverName;
        this.adminToken = adminToken;
    }

    /** From the environment {@code deploy/synapse/synapse.sh env} prints, or null when there is no Synapse. */
    static SynapseClient fromEnvironment() throws IOException {
        String url = System.getenv("HERALD_SYNAPSE_URL");
        if (url == null || url.isBlank()) {
            return null;
        }
        String server = env("HERALD_SYNAPSE_SERVER_NAME", "localhost:" + URI.create(url).getPort());
        SynapseClient anonymous = new SynapseClient(url, server, null);
        String admin = anonymous.login(env("HERALD_SYNAPSE_ADMIN", "@alice:" + server),
                env("HERALD_SYNAPSE_ADMIN_PASSWORD", "alicepass"));
        return new SynapseClient(url, server, admin);
    }

    User admin() {
        return new User(env("HERALD_SYNAPSE_ADMIN", "@alice:" + serverName), adminToken);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    String login(String userId, String password) throws IOException {
        Answer a = call("POST", "/_matrix/client/v3/login", null, Map.of("type", "m.login.password",
                "identifier", Map.of("type", "m.id.user", "user", userId), "password", password,
                "device_id", "HERALDDIFF"));
        assertThat(a.status()).as("login of %s: %s", userId, a.text()).isEqualTo(200);
        return a.json().path("access_token").textValue();
    }

    /** A new user (admin API), without rate limits, logged in. */
    User register(String localpart, String displayName) throws IOException {
        String id = "@" + localpart + ":" + serverName;
        String password = UUID.randomUUID().toString();
        Answer made = call("PUT", "/_synapse/admin/v2/users/" + enc(id), adminToken,
                Map.of("password", password, "displayname", displayName, "admin", false));
        assertThat(made.status()).as("create %s: %s", id, made.text()).isIn(200, 201);
        Answer limits = call("POST", "/_synapse/admin/v1/users/" + enc(id) + "/override_ratelimit", adminToken,
                Map.of("messages_per_second", 0, "burst_count", 0));
        assertThat(limits.status()).as(limits.text()).isEqualTo(200);
        return new User(id, login(id, password));
    }

    String createRoom(User creator, Map<String, Object> body) throws IOException {
        Answer a = call("POST", "/_matrix/client/v3/createRoom", creator.token(), body);
        assertThat(a.status()).as("createRoom: %s", a.text()).isEqualTo(200);
        return a.json().path("room_id").textValue();
    }

    void invite(User by, String roomId, String userId) throws IOException {
        ok(call("POST", room(roomId) + "/invite", by.token(), Map.of("user_id", userId)));
    }

    void join(User user, String roomId) throws IOException {
        ok(call("POST", room(roomId) + "/join", user.token(), Map.of()));
    }

    /** Sends a room event; answers its event id. */
    String send(User sender, String roomId, String type, Object content) throws IOException {
        Answer a = call("PUT", room(roomId) + "/send/" + enc(type) + "/" + UUID.randomUUID(), sender.token(), content);
        ok(a);
        return a.json().path("event_id").textValue();
    }

    String state(User sender, String roomId, String type, String stateKey, Object content) throws IOException {
        Answer a = call("PUT", room(roomId) + "/state/" + enc(type) + "/" + enc(stateKey), sender.token(), content);
        ok(a);
        return a.json().path("event_id").textValue();
    }

    void receipt(User user, String roomId, String type, String eventId) throws IOException {
        ok(call("POST", room(roomId) + "/receipt/" + enc(type) + "/" + enc(eventId), user.token(), Map.of()));
    }

    void pusher(User user, Map<String, Object> body) throws IOException {
        ok(call("POST", "/_matrix/client/v3/pushers/set", user.token(), body));
    }

    /** The room's events after {@code from} (null: from its creation), oldest first, as the admin API reads them. */
    Page events(String roomId, String from) throws IOException {
        Answer a = call("GET", "/_synapse/admin/v1/rooms/" + enc(roomId) + "/messages?dir=f&limit=1000"
                + (from == null ? "" : "&from=" + enc(from)), adminToken, null);
        ok(a);
        List<JsonNode> events = new ArrayList<>();
        a.json().path("chunk").forEach(events::add);
        String end = a.json().path("end").isTextual() ? a.json().path("end").textValue() : from;
        return new Page(events, end);
    }

    record Page(List<JsonNode> events, String end) {
    }

    Answer call(String method, String path, String token, Object body) throws IOException {
        return raw(method, base + path, token, body == null ? null : body instanceof String s ? s : Json.encode(body));
    }

    static Answer raw(String method, String url, String token, String body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response;
        try {
            response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        JsonNode json;
        try {
            json = response.body().isBlank() ? JsonNodeFactory.instance.objectNode() : Json.MAPPER.readTree(response.body());
        } catch (IOException notJson) {
            json = JsonNodeFactory.instance.objectNode();
        }
        return new Answer(response.statusCode(), json, response.body());
    }

    private static void ok(Answer a) {
        assertThat(a.status()).as(a.text()).isEqualTo(200);
    }

    private static String room(String roomId) {
        return "/_matrix/client/v3/rooms/" + enc(roomId);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

package io.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.testsupport.KafkaTestResource;
import io.herald.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Thousands of random and malformed bodies: only 2xx and 4xx answers, and the service still serves afterwards. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class FuzzTest {

    private static final int REQUESTS = 3000;
    private static final List<String> PATHS = List.of("/v1/rooms/fuzz/notifications", "/v1/rooms/fuzz/events",
            "/v1/rooms/fuzz/webhooks/alertmanager", "/v1/rooms/fuzz/webhooks/ci", "/v1/admin/api-keys", "/v1/rooms/fuzz/send",
            "/v1/admin/templates/fuzz");
    private static final List<String> SEEDS = List.of(
            "{\"subject\":\"s\",\"body\":\"b\",\"link\":\"https://x.y\",\"silent\":true,\"format\":\"markdown\","
                    + "\"mentions\":{\"user_ids\":[\"@a:b.c\"],\"room\":true}}",
            "{\"type\":\"m.room.message\",\"content\":{\"msgtype\":\"m.text\",\"body\":\"hi\"},\"state_key\":\"\"}",
            AlertmanagerTest.payload("firing", "Fuzz", 2),
            "{\"build\":{\"name\":\"n\",\"message\":\"m\",\"url\":\"https://ci\"},\"quiet\":false}",
            "{\"tenant\":\"fuzz\",\"sender\":\"@f:x\",\"rooms\":[\"fuzz\"],\"rate_limit\":{\"per_second\":1,\"burst\":1}}",
            "{\"message\":\"m\",\"title\":\"t\",\"link\":\"https://x.y\",\"priority\":\"urgent\",\"tags\":[\"warning\",\"x\"],"
                    + "\"markdown\":true,\"silent\":false}",
            "{\"subject\":\"{payload.a} {#if payload.b}x{#else}y{/if}\",\"body\":\"{#for i in payload.list}{i}{/for}\","
                    + "\"html\":\"<b>{payload.c}</b>\",\"priority\":\"{payload.p ?: 'low'}\",\"mentions\":\"@room\"}");
    private static final List<String> SEND_HEADERS = List.of("Title", "X-Priority", "p", "Tags", "Markdown", "Silent",
            "Click", "Link");
    private static final List<String> VALUES = List.of("null", "true", "false", "0", "-1", "1e999", "123456789012345678901234567890",
            "\"\"", "\"x\"", "[]", "{}", "[null]", "{\"\":null}", "\"\\u0000\"", "\"\\ud800\"", "\"javascript:alert(1)\"",
            "\"<script>x</script>\"", "\"@a:b\"", "\"*\"", "\"markdown\"", "\"resolved\"", "3.5", "[[[[[[[[]]]]]]]]");

    @TestHTTPResource("/")
    URL base;

    @TestHTTPResource(value = "health/ready", management = true)
    URL readiness;

    @Test
    void randomBodiesNeverCauseA5xx() throws Exception {
        TestKeys.Key key = TestKeys.any();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Random random = new Random(42);
        List<HttpRequest> requests = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            int endpoint = random.nextInt(PATHS.size());
            byte[] body = mutate(SEEDS.get(endpoint), random);
            String contentType = random.nextInt(20) == 0 ? randomContentType(random) : "application/json";
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "")
                            + PATHS.get(endpoint) + (random.nextInt(30) == 0 ? "?mode=" + random.nextInt() : "")))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", contentType)
                    .header("Authorization", PATHS.get(endpoint).startsWith("/v1/admin") ? TestKeys.ADMIN : key.bearer())
                    .method(PATHS.get(endpoint).startsWith("/v1/admin/templates") ? "PUT" : "POST",
                            HttpRequest.BodyPublishers.ofByteArray(body));
            if (random.nextInt(10) == 0) {
                request.header("Idempotency-Key", "fuzz-" + random.nextInt(50));
            }
            if (PATHS.get(endpoint).endsWith("/send") && random.nextBoolean()) {
                // header values of any printable kind (HTTP allows no control characters in them)
                byte[] value = mutate(VALUES.get(random.nextInt(VALUES.size())), random);
                String printable = new String(value, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", "");
                request.header(SEND_HEADERS.get(random.nextInt(SEND_HEADERS.size())), printable);
            }
            requests.add(request.build());
        }
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        Map<String, String> serverErrors = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (HttpRequest request : requests) {
                futures.add(pool.submit(() -> {
                    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                    statuses.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                    if (response.statusCode() >= 500) {
                        serverErrors.put(request.uri() + " " + response.statusCode(), response.body());
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("fuzz statuses: " + new TreeMap<>(statuses));
        assertThat(serverErrors).as("5xx answers").isEmpty();
        assertThat(statuses.keySet()).allSatisfy(s -> assertThat(s).isBetween(200, 499));
        assertThat(statuses.keySet()).as("the mutations reach past validation and also fail it").contains(202, 400);

        // still serving
        String marker = "after-fuzz-" + UUID.randomUUID();
        given().header("Authorization", key.bearer()).contentType("application/json")
                .body("{\"body\":\"" + marker + "\"}").post("/v1/rooms/fuzz/notifications").then().statusCode(202);
        Records.await(marker, 1);
        given().get(readiness).then().statusCode(200);
    }

    private static String randomContentType(Random random) {
        return List.of("text/plain", "application/xml", "application/json; charset=latin1", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "application/problem+json").get(random.nextInt(6));
    }

    private static byte[] mutate(String seed, Random random) {
        switch (random.nextInt(9)) {
            case 0 -> { // truncated
                return seed.substring(0, random.nextInt(seed.length())).getBytes(StandardCharsets.UTF_8);
            }
            case 1 -> { // random bytes flipped
                byte[] bytes = seed.getBytes(StandardCharsets.UTF_8);
                for (int i = 0, n = 1 + random.nextInt(5); i < n; i++) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                return bytes;
            }
            case 2 -> { // random garbage
                byte[] bytes = new byte[random.nextInt(200)];
                random.nextBytes(bytes);
                return bytes;
            }
            case 3 -> { // deep nesting
                int depth = 1 + random.nextInt(3000);
                return ("{\"body\":" + "[".repeat(depth) + "]".repeat(depth) + "}").getBytes(StandardCharsets.UTF_8);
            }
            case 4 -> { // a bare value
                return VALUES.get(random.nextInt(VALUES.size())).getBytes(StandardCharsets.UTF_8);
            }
            case 5 -> { // the seed unchanged
                return seed.getBytes(StandardCharsets.UTF_8);
            }
            default -> { // values replaced by values of other types
                String s = seed;
                for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                    List<int[]> spans = valueSpans(s);
                    if (spans.isEmpty()) {
                        break;
                    }
                    int[] span = spans.get(random.nextInt(spans.size()));
                    s = s.substring(0, span[0]) + VALUES.get(random.nextInt(VALUES.size())) + s.substring(span[1]);
                }
                return s.getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    /** Spans of the values after each {@code ":"} (strings, numbers, literals), roughly. */
    private static List<int[]> valueSpans(String s) {
        List<int[]> spans = new ArrayList<>();
        for (int i = s.indexOf("\":"); i >= 0; i = s.indexOf("\":", i + 2)) {
            int start = i + 2;
            if (start >= s.length()) {
                break;
            }
            int end;
            if (s.charAt(start) == '"') {
                end = s.indexOf('"', start + 1) + 1;
            } else {
                end = start;
                while (end < s.length() && ",}]".indexOf(s.charAt(end)) < 0) {
                    end++;
                }
            }
            if (end > start) {
                spans.add(new int[] {start, end});
            }
        }
        return spans;
    }
}

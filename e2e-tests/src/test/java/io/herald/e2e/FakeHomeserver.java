package io.herald.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A homeserver that behaves like Synapse where Herald's promises are concerned: {@code PUT …/send/{type}/{txnId}}
 * answers a repeated txnId with the event it already created (so a redelivery never makes a second event), and it
 * records every request. Fast enough to be the sink of a throughput benchmark.
 */
final class FakeHomeserver implements AutoCloseable {

    /** The first time a txnId arrived: the event it created, the body, and when. */
    record Event(String eventId, String roomId, String txnId, String body, long receivedNanos, long receivedEpochMicros) {
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(16);
    private final Map<String, Event> byTxn = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private volatile Consumer<Event> onFirst = e -> { };

    FakeHomeserver() throws IOException {
        // Without TCP_NODELAY, the JDK server's separate header and body writes meet delayed ACKs: 40 ms a response.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        server.setExecutor(pool);
        server.createContext("/_matrix/client/v3/rooms/", this::send);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void onFirstDelivery(Consumer<Event> listener) {
        this.onFirst = listener;
    }

    private void send(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            long now = System.nanoTime();
            requests.incrementAndGet();
            String[] path = exchange.getRequestURI().getRawPath().split("/");
            // /_matrix/client/v3/rooms/{roomId}/send/{type}/{txnId}
            if (!"PUT".equals(exchange.getRequestMethod()) || path.length != 9 || !"send".equals(path[6])) {
                reply(exchange, 404, "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"unknown\"}");
                return;
            }
            String roomId = java.net.URLDecoder.decode(path[5], StandardCharsets.UTF_8);
            String txnId = path[8];
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !auth.startsWith("Bearer ")) {
                reply(exchange, 401, "{\"errcode\":\"M_MISSING_TOKEN\",\"error\":\"Missing access token\"}");
                return;
            }
            boolean[] first = {false};
            Event event = byTxn.computeIfAbsent(roomId + "/" + txnId, k -> {
                first[0] = true;
                java.time.Instant wall = java.time.Instant.now();
                return new Event("$" + sequence.incrementAndGet(), roomId, txnId, body, now,
                        wall.getEpochSecond() * 1_000_000 + wall.getNano() / 1000);
            });
            if (first[0]) {
                onFirst.accept(event);
            }
            reply(exchange, 200, "{\"event_id\":\"" + event.eventId() + "\"}");
        }
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Distinct events created (one per room and txnId). */
    int events() {
        return byTxn.size();
    }

    Map<String, Event> eventsByTxn() {
        return byTxn;
    }

    long requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}

package io.herald.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A homeserver that behaves like Synapse where Herald's promises are concerned: {@code PUT …/send/{type}/{txnId}}
 * answers a repeated txnId with the event it already created (so a redelivery never makes a second event), and it
 * records every request. On Vert.x, so it is cheap enough to be the sink of a throughput benchmark.
 */
final class FakeHomeserver implements AutoCloseable {

    /** The first time a txnId arrived: the event it created, the body, and when. */
    record Event(String eventId, String roomId, String txnId, String body, long receivedNanos, long receivedEpochMicros) {
    }

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private final HttpServer server;
    private final Map<String, Event> byTxn = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private volatile Consumer<Event> onFirst = e -> { };

    FakeHomeserver() throws Exception {
        this(0);
    }

    /** Listens on {@code port} (0: any free port). */
    FakeHomeserver(int port) throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setTcpNoDelay(true))
                .requestHandler(request -> request.body().onSuccess(body -> send(request, body)))
                .listen(port).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    void onFirstDelivery(Consumer<Event> listener) {
        this.onFirst = listener;
    }

    private void send(HttpServerRequest request, Buffer body) {
        long now = System.nanoTime();
        requests.incrementAndGet();
        String[] path = request.path().split("/");
        // /_matrix/client/v3/rooms/{roomId}/send/{type}/{txnId}
        if (!"PUT".equals(request.method().name()) || path.length != 9 || !"send".equals(path[6])) {
            reply(request, 404, "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"unknown\"}");
            return;
        }
        String auth = request.getHeader("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            reply(request, 401, "{\"errcode\":\"M_MISSING_TOKEN\",\"error\":\"Missing access token\"}");
            return;
        }
        String roomId = URLDecoder.decode(path[5], StandardCharsets.UTF_8);
        String txnId = path[8];
        boolean[] first = {false};
        Event event = byTxn.computeIfAbsent(roomId + "/" + txnId, k -> {
            first[0] = true;
            Instant wall = Instant.now();
            return new Event("$" + sequence.incrementAndGet(), roomId, txnId, body.toString(StandardCharsets.UTF_8), now,
                    wall.getEpochSecond() * 1_000_000 + wall.getNano() / 1000);
        });
        if (first[0]) {
            onFirst.accept(event);
        }
        reply(request, 200, "{\"event_id\":\"" + event.eventId() + "\"}");
    }

    private static void reply(HttpServerRequest request, int status, String json) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(json);
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
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}

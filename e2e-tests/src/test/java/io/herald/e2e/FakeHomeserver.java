package io.herald.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A homeserver that behaves like Synapse where Herald's promises are concerned: {@code PUT …/send/{type}/{txnId}}
 * answers a repeated txnId with the event it already created (so a redelivery never makes a second event), and it
 * records every request. On Vert.x, so it is cheap enough to be the sink of a throughput benchmark.
 *
 * <p>It can be told to fail: {@link #down()} (connection refused) and {@link #up()} on the same port, answer 429 with
 * {@code Retry-After} ({@link #rateLimit}, or any header values in turn with {@link #rateLimitWith}), answer 500 to a
 * share of requests ({@link #failRandomly}), behave like a flaky proxy ({@link #flaky}: HTML 502 pages and reset
 * connections), never answer at all ({@link #silence}), answer event ids no one can store ({@link #unusableEventIds}),
 * refuse rooms the bot may not post in with 403 {@code M_FORBIDDEN} (with a NUL in the error text, {@link #forbid}),
 * and expire a token ({@link #expire}: {@code M_UNKNOWN_TOKEN}) with a login endpoint that can be rate limited
 * ({@link #limitLogins}).
 */
final class FakeHomeserver implements AutoCloseable {

    /** The first time a txnId arrived: the event it created, the body, and when. */
    record Event(String eventId, String roomId, String txnId, String body, long receivedNanos, long receivedEpochMicros) {
    }

    /** Every request to the send endpoint, answered or not: the room, the txnId, the status and when. */
    record Request(String roomId, String txnId, int status, String eventId, long receivedNanos) {
    }

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private final int port;
    private volatile HttpServer server;
    private final Map<String, Event> byTxn = new ConcurrentHashMap<>();
    private final Queue<Request> log = new ConcurrentLinkedQueue<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private volatile Consumer<Event> onFirst = e -> { };
    private volatile boolean recordRequests;
    private volatile Duration rateLimitedFor;
    private volatile List<String> rateLimitHeaders;
    private final AtomicLong rateLimitTurn = new AtomicLong();
    private volatile double failureShare;
    private volatile double html502Share;
    private volatile double resetShare;
    private volatile boolean silent;
    private volatile Duration latency = Duration.ZERO;
    private final Set<String> forbidden = ConcurrentHashMap.newKeySet();
    private final Set<String> unusableEventIds = ConcurrentHashMap.newKeySet();
    private final Set<String> expiredTokens = ConcurrentHashMap.newKeySet();
    private final AtomicLong logins = new AtomicLong();
    private volatile Instant loginsLimitedUntil = Instant.EPOCH;

    FakeHomeserver() throws Exception {
        this(0);
    }

    /** Listens on {@code port} (0: any free port). */
    FakeHomeserver(int port) throws Exception {
        server = listen(port);
        this.port = server.actualPort();
    }

    private HttpServer listen(int port) throws Exception {
        return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setTcpNoDelay(true).setReuseAddress(true))
                .requestHandler(request -> request.body().onSuccess(body -> send(request, body)))
                .listen(port).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    void onFirstDelivery(Consumer<Event> listener) {
        this.onFirst = listener;
    }

    /** Keep every request in {@link #requestLog()} (off by default: a benchmark sends millions). */
    FakeHomeserver recordingRequests() {
        recordRequests = true;
        return this;
    }

    /** Stops listening and drops open connections: senders get "connection refused" until {@link #up()}. */
    synchronized void down() throws Exception {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            server = null;
        }
    }

    /** Listens again on the same port. */
    synchronized void up() throws Exception {
        if (server == null) {
            server = listen(port);
        }
    }

    /** While set, every send is answered 429 {@code M_LIMIT_EXCEEDED} with {@code Retry-After} (null: stop). */
    void rateLimit(Duration retryAfter) {
        rateLimitedFor = retryAfter;
    }

    /** While set, every send is answered 429 with these {@code Retry-After} values in turn (null: stop). */
    void rateLimitWith(List<String> headers) {
        rateLimitHeaders = headers;
    }

    /** Answers 500 to this share (0..1) of sends, at random. */
    void failRandomly(double share) {
        failureShare = share;
    }

    /** Like a flaky proxy in front: an HTML 502 page to {@code html502} of the sends, a closed connection to {@code reset}. */
    void flaky(double html502, double reset) {
        html502Share = html502;
        resetShare = reset;
    }

    /** Successful sends are answered after this long (a homeserver persisting the event); failures at once. */
    FakeHomeserver latency(Duration delay) {
        latency = delay;
        return this;
    }

    /** While set, requests are accepted and never answered (the sender's timeout ends them). */
    void silence(boolean never) {
        silent = never;
    }

    /** Sends into this room are accepted again. */
    void allow(String roomId) {
        forbidden.remove(roomId);
    }

    /** Sends into this room succeed, but are answered with an event id of 300 characters. */
    void unusableEventIds(String roomId) {
        unusableEventIds.add(roomId);
    }

    /** This token is no longer valid: sends with it are answered 401 {@code M_UNKNOWN_TOKEN}. */
    void expire(String token) {
        expiredTokens.add(token);
    }

    /** Logins are answered 429 (Retry-After 1) until then. */
    void limitLogins(Instant until) {
        loginsLimitedUntil = until;
    }

    long logins() {
        return logins.get();
    }

    /** Sends into this room are refused: 403 {@code M_FORBIDDEN}, as when the bot is not in the room. */
    void forbid(String roomId) {
        forbidden.add(roomId);
    }

    private void send(HttpServerRequest request, Buffer body) {
        long now = System.nanoTime();
        requests.incrementAndGet();
        if (silent) {
            return; // accepted, never answered
        }
        if ("POST".equals(request.method().name()) && request.path().equals("/_matrix/client/v3/login")) {
            login(request);
            return;
        }
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
        if (expiredTokens.contains(auth.substring("Bearer ".length()))) {
            record(roomId, txnId, 401, null, now);
            reply(request, 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\",\"error\":\"Invalid access token passed.\","
                    + "\"soft_logout\":false}");
            return;
        }
        double chance = ThreadLocalRandom.current().nextDouble();
        if (chance < resetShare) {
            record(roomId, txnId, 0, null, now);
            request.connection().close();
            return;
        }
        if (chance < resetShare + html502Share) {
            record(roomId, txnId, 502, null, now);
            request.response().setStatusCode(502).putHeader("Content-Type", "text/html")
                    .end("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
                            + "</center><hr><center>nginx</center></body></html>");
            return;
        }
        List<String> headers = rateLimitHeaders;
        if (headers != null) {
            record(roomId, txnId, 429, null, now);
            request.response().putHeader("Retry-After", headers.get((int) (rateLimitTurn.getAndIncrement() % headers.size())));
            reply(request, 429, "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"error\":\"Too Many Requests\"}");
            return;
        }
        Duration limited = rateLimitedFor;
        if (limited != null) {
            record(roomId, txnId, 429, null, now);
            request.response().putHeader("Retry-After", Long.toString(limited.toSeconds()));
            reply(request, 429, "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"error\":\"Too Many Requests\",\"retry_after_ms\":"
                    + limited.toMillis() + "}");
            return;
        }
        if (failureShare > 0 && ThreadLocalRandom.current().nextDouble() < failureShare) {
            record(roomId, txnId, 500, null, now);
            reply(request, 500, "{\"errcode\":\"M_UNKNOWN\",\"error\":\"Internal server error\"}");
            return;
        }
        if (forbidden.contains(roomId)) {
            record(roomId, txnId, 403, null, now);
            // With a NUL in the error text, as a homeserver behind something odd may send: it must not stop anything.
            reply(request, 403, "{\"errcode\":\"M_FORBIDDEN\",\"error\":\"User not\\u0000in room\"}");
            return;
        }
        boolean[] first = {false};
        Event event = byTxn.computeIfAbsent(roomId + "/" + txnId, k -> {
            first[0] = true;
            Instant wall = Instant.now();
            String eventId = "$" + sequence.incrementAndGet();
            if (unusableEventIds.contains(roomId)) {
                eventId = eventId + "-" + "x".repeat(300);
            }
            return new Event(eventId, roomId, txnId, body.toString(StandardCharsets.UTF_8), now,
                    wall.getEpochSecond() * 1_000_000 + wall.getNano() / 1000);
        });
        if (first[0]) {
            onFirst.accept(event);
        }
        record(roomId, txnId, 200, event.eventId(), now);
        Duration delay = latency;
        if (delay.isZero()) {
            reply(request, 200, "{\"event_id\":\"" + event.eventId() + "\"}");
        } else {
            vertx.setTimer(delay.toMillis(), t -> reply(request, 200, "{\"event_id\":\"" + event.eventId() + "\"}"));
        }
    }

    /** {@code POST /_matrix/client/v3/login} with a password: a new token, unless logins are rate limited. */
    private void login(HttpServerRequest request) {
        logins.incrementAndGet();
        if (Instant.now().isBefore(loginsLimitedUntil)) {
            request.response().putHeader("Retry-After", "1");
            reply(request, 429, "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"error\":\"Too many logins\",\"retry_after_ms\":1000}");
            return;
        }
        reply(request, 200, "{\"access_token\":\"syt_login_" + sequence.incrementAndGet()
                + "\",\"device_id\":\"HERALDFAULT\",\"user_id\":\"@herald:fault.test\"}");
    }

    private void record(String roomId, String txnId, int status, String eventId, long now) {
        if (recordRequests) {
            log.add(new Request(roomId, txnId, status, eventId, now));
        }
    }

    private static void reply(HttpServerRequest request, int status, String json) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(json);
    }

    /** Distinct events created (one per room and txnId). */
    int events() {
        return byTxn.size();
    }

    /**
     * Forgets the events so far; {@link #events()} counts from zero again. For a benchmark's warm-up: a million kept
     * bodies made this JVM's young collections take 100–300 ms, and the broker beside it in the same JVM stopped with
     * them, which was the latency tail being measured.
     */
    void forgetEvents() {
        byTxn.clear();
    }

    Map<String, Event> eventsByTxn() {
        return byTxn;
    }

    /** Every send request so far (with {@link #recordingRequests()}), in arrival order. */
    List<Request> requestLog() {
        return List.copyOf(log);
    }

    long requests() {
        return requests.get();
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}

package io.herald.bench.pipeline;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The fastest homeserver a benchmark can have: answers every room send with 200 and an event id, and notes when the
 * message carrying sequence number {@code n} (written into the body as {@code hb:n;}) arrived, and how often.
 * Also answers the discovery calls Herald makes when an account is added ({@code versions}, {@code whoami}).
 */
final class CountingHomeserver implements AutoCloseable {

    private final Vertx vertx;
    private final HttpServer server;
    private final AtomicLongArray firstArrival;
    private final AtomicIntegerArray arrivals;
    private final AtomicInteger received = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();

    CountingHomeserver(Vertx vertx, int capacity) throws Exception {
        this.vertx = vertx;
        this.firstArrival = new AtomicLongArray(capacity);
        this.arrivals = new AtomicIntegerArray(capacity);
        this.server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    private void handle(HttpServerRequest request) {
        String path = request.path();
        if (path.endsWith("/versions")) {
            request.response().putHeader("content-type", "application/json").end("{\"versions\":[\"v1.11\"]}");
        } else if (path.endsWith("/account/whoami")) {
            request.response().putHeader("content-type", "application/json")
                    .end("{\"user_id\":\"@bench:localhost\",\"device_id\":\"HERALDBENCH\"}");
        } else if (path.contains("/send/")) {
            request.body().onSuccess(body -> {
                long now = System.nanoTime();
                int seq = sequence(body.toString());
                if (seq >= 0 && seq < arrivals.length()) {
                    if (arrivals.getAndIncrement(seq) == 0) {
                        firstArrival.set(seq, now);
                        received.incrementAndGet();
                    } else {
                        duplicates.incrementAndGet();
                    }
                }
                String txn = path.substring(path.lastIndexOf('/') + 1);
                request.response().putHeader("content-type", "application/json").end("{\"event_id\":\"$" + txn + "\"}");
            });
        } else {
            request.response().setStatusCode(404).putHeader("content-type", "application/json")
                    .end("{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"not in the benchmark homeserver\"}");
        }
    }

    /** The number after the first {@code hb:} in the body, or -1. */
    static int sequence(String body) {
        int at = body.indexOf("hb:");
        if (at < 0) {
            return -1;
        }
        int value = 0;
        for (int i = at + 3; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c < '0' || c > '9') {
                return i == at + 3 ? -1 : value;
            }
            value = value * 10 + (c - '0');
        }
        return -1;
    }

    /** Distinct messages received. */
    int received() {
        return received.get();
    }

    /** Messages received more than once (the homeserver would have deduplicated them by txnId). */
    int duplicates() {
        return duplicates.get();
    }

    /** When message {@code seq} first arrived (System.nanoTime), or 0. */
    long arrival(int seq) {
        return firstArrival.get(seq);
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}

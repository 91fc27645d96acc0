package io.herald.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A Matrix push gateway (Push Gateway API, {@code POST /_matrix/push/v1/notify}) that records every request and can
 * be told to fail: answer {@code {"rejected": [pushkey]}} for chosen pushkeys (as Sygnal does for a pushkey the
 * platform no longer knows), or 500 to a share of requests.
 */
final class FakePushGateway implements AutoCloseable {

    static final String NOTIFY_PATH = "/_matrix/push/v1/notify";

    /** One request: the pushkey of each device, the notification's {@code content.body}, and the status answered. */
    record Push(String pushkey, String body, int status, boolean rejected, long receivedNanos) {
    }

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    private final HttpServer server;
    private final Queue<Push> pushes = new ConcurrentLinkedQueue<>();
    private final Queue<JsonObject> notifications = new ConcurrentLinkedQueue<>();
    private final Set<String> rejectedPushkeys = ConcurrentHashMap.newKeySet();
    private volatile double failureShare;

    FakePushGateway() throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setTcpNoDelay(true))
                .requestHandler(request -> request.body().onSuccess(body -> notify(request, body)))
                .listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The URL a pusher's {@code data.url} names. */
    String notifyUrl() {
        return "http://127.0.0.1:" + server.actualPort() + NOTIFY_PATH;
    }

    /** From now on, answer that this pushkey is rejected. */
    void reject(String pushkey) {
        rejectedPushkeys.add(pushkey);
    }

    /** Answers 500 to this share (0..1) of requests, at random. */
    void failRandomly(double share) {
        failureShare = share;
    }

    private void notify(HttpServerRequest request, Buffer body) {
        long now = System.nanoTime();
        if (!"POST".equals(request.method().name()) || !NOTIFY_PATH.equals(request.path())) {
            reply(request, 404, "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"unknown\"}");
            return;
        }
        JsonObject notification;
        try {
            notification = body.toJsonObject().getJsonObject("notification");
        } catch (RuntimeException e) {
            reply(request, 400, "{\"errcode\":\"M_NOT_JSON\",\"error\":\"not JSON\"}");
            return;
        }
        notifications.add(notification);
        JsonObject content = notification.getJsonObject("content");
        String text = content == null ? null : content.getString("body");
        List<String> pushkeys = new ArrayList<>();
        JsonArray devices = notification.getJsonArray("devices", new JsonArray());
        for (int i = 0; i < devices.size(); i++) {
            pushkeys.add(devices.getJsonObject(i).getString("pushkey"));
        }
        if (failureShare > 0 && ThreadLocalRandom.current().nextDouble() < failureShare) {
            pushkeys.forEach(k -> pushes.add(new Push(k, text, 500, false, now)));
            reply(request, 500, "{\"error\":\"storm\"}");
            return;
        }
        JsonArray rejected = new JsonArray();
        for (String pushkey : pushkeys) {
            boolean isRejected = rejectedPushkeys.contains(pushkey);
            if (isRejected) {
                rejected.add(pushkey);
            }
            pushes.add(new Push(pushkey, text, 200, isRejected, now));
        }
        reply(request, 200, new JsonObject().put("rejected", rejected).encode());
    }

    private static void reply(HttpServerRequest request, int status, String json) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(json);
    }

    /** Every request so far, one entry per device, in arrival order. */
    List<Push> pushes() {
        return List.copyOf(pushes);
    }

    /** Every request's {@code notification} object as it came, in arrival order. */
    List<JsonObject> notifications() {
        return List.copyOf(notifications);
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}

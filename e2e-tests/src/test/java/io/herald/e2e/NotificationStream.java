package io.herald.e2e;

import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.NotificationEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A producer of notifications, paced at a fixed rate so a fault lands mid-stream: over the ingest HTTP API like a
 * real client (an {@code Idempotency-Key} per notification, retried with the same key on 503, 429 and connection
 * errors), or straight to Kafka. Each room's notifications are sent one after the other (the next once the previous
 * was accepted), so their order is the order they must arrive in.
 */
final class NotificationStream {

    /** One notification to send: its unique marker (also its Idempotency-Key), its room and the text carrying it. */
    record Planned(int index, String marker, String room) {
        String body() {
            return "fault #" + marker + "# notification " + index;
        }
    }

    private final Map<String, String> accepted = new ConcurrentHashMap<>();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger unavailable = new AtomicInteger();
    private final AtomicInteger connectionErrors = new AtomicInteger();
    private final AtomicReference<Instant> finishedAt = new AtomicReference<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final int size;

    private NotificationStream(int size) {
        this.size = size;
    }

    /**
     * Posts the notifications to {@code POST /v1/rooms/{room}/notifications}, at most {@code perSecond}, one thread per
     * room. Gives up on a notification only at {@code giveUpAfter} (recorded as a failure).
     */
    static NotificationStream overHttp(String ingestUrl, String apiKey, List<Planned> plan, double perSecond,
            Duration giveUpAfter) {
        NotificationStream stream = new NotificationStream(plan.size());
        Map<String, List<Planned>> byRoom = new java.util.LinkedHashMap<>();
        plan.forEach(p -> byRoom.computeIfAbsent(p.room(), r -> new ArrayList<>()).add(p));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService threads = Executors.newFixedThreadPool(byRoom.size());
        long start = System.nanoTime();
        List<CompletableFuture<Void>> rooms = new ArrayList<>();
        for (List<Planned> room : byRoom.values()) {
            rooms.add(CompletableFuture.runAsync(() -> {
                for (Planned p : room) {
                    pace(start, p.index(), perSecond);
                    stream.post(client, ingestUrl, apiKey, p, Instant.now().plus(giveUpAfter));
                }
            }, threads));
        }
        CompletableFuture.allOf(rooms.toArray(CompletableFuture[]::new)).whenComplete((ok, e) -> {
            threads.shutdown();
            stream.finish(e);
        });
        return stream;
    }

    private void post(HttpClient client, String ingestUrl, String apiKey, Planned p, Instant giveUpAt) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(ingestUrl + "/v1/rooms/" + p.room() + "/notifications"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", p.marker())
                .POST(HttpRequest.BodyPublishers.ofString(Json.encode(Map.of("body", p.body())))).build();
        while (true) {
            attempts.incrementAndGet();
            Duration wait;
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 202) {
                    String id = Json.MAPPER.readTree(response.body()).get("id").textValue();
                    accepted.put(p.marker(), id);
                    return;
                }
                if (status != 503 && status != 429) {
                    failures.add(p.marker() + ": HTTP " + status + " " + response.body());
                    return;
                }
                if (status == 503) {
                    unavailable.incrementAndGet();
                }
                // A real client honours Retry-After (capped here so the test does not idle).
                long seconds = response.headers().firstValueAsLong("Retry-After").orElse(1);
                wait = Duration.ofMillis(Math.min(5000, Math.max(200, seconds * 1000)));
            } catch (IOException e) {
                connectionErrors.incrementAndGet();
                wait = Duration.ofMillis(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add(p.marker() + ": interrupted");
                return;
            }
            if (Instant.now().plus(wait).isAfter(giveUpAt)) {
                failures.add(p.marker() + ": still not accepted, gave up");
                return;
            }
            sleep(wait.toMillis());
        }
    }

    /** Writes the notifications to {@code topic} as an outside producer would (key = room), with records in between. */
    static NotificationStream toKafka(String bootstrapServers, String topic, List<Planned> plan, double perSecond,
            String sender, Map<Integer, List<ProducerRecord<String, byte[]>>> insertBefore) {
        NotificationStream stream = new NotificationStream(plan.size());
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        Thread thread = new Thread(() -> {
            long start = System.nanoTime();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                    new ByteArraySerializer())) {
                List<CompletableFuture<Void>> sends = new ArrayList<>();
                for (Planned p : plan) {
                    pace(start, p.index(), perSecond);
                    for (ProducerRecord<String, byte[]> extra : insertBefore.getOrDefault(p.index(), List.of())) {
                        sends.add(send(producer, extra, ignored -> { }));
                    }
                    String id = UUID.randomUUID().toString();
                    NotificationEvent n = new NotificationEvent(id, p.room(), MatrixEvent.message(sender,
                            Map.of("msgtype", "m.text", "body", p.body())), Instant.now(), "fault-suite");
                    stream.attempts.incrementAndGet();
                    sends.add(send(producer, new ProducerRecord<>(topic, p.room(),
                            Json.encode(n).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                            ignored -> stream.accepted.put(p.marker(), id)));
                }
                producer.flush();
                CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
                stream.finish(null);
            } catch (RuntimeException e) {
                stream.failures.add("producer: " + e);
                stream.finish(e);
            }
        }, "fault-kafka-producer");
        thread.start();
        return stream;
    }

    private static CompletableFuture<Void> send(KafkaProducer<String, byte[]> producer, ProducerRecord<String, byte[]> r,
            Consumer<Void> onAck) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        producer.send(r, (metadata, e) -> {
            if (e != null) {
                sent.completeExceptionally(e);
            } else {
                onAck.accept(null);
                sent.complete(null);
            }
        });
        return sent;
    }

    private void finish(Throwable e) {
        finishedAt.set(Instant.now());
        if (e != null) {
            failures.add(e.toString());
        }
        done.complete(null);
    }

    private static void pace(long startNanos, int index, double perSecond) {
        long due = startNanos + (long) (index / perSecond * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            sleep(wait / 1_000_000);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the end of the stream; returns when the last notification was accepted (or given up on). */
    Instant await(Duration atMost) throws Exception {
        done.get(atMost.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        return finishedAt.get();
    }

    boolean isDone() {
        return done.isDone();
    }

    /** Marker → the notification id ingest answered (or the producer chose). */
    Map<String, String> accepted() {
        return accepted;
    }

    int size() {
        return size;
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    int attempts() {
        return attempts.get();
    }

    int unavailable() {
        return unavailable.get();
    }

    int connectionErrors() {
        return connectionErrors.get();
    }
}

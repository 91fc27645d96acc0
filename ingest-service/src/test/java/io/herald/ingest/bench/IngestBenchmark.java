package io.herald.ingest.bench;

import io.herald.ingest.TestKeys;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Accepted notifications per second over HTTP (202 = on the embedded broker with acks=all). Not a test: prints numbers.
 * <pre>./mvnw -f ingest-service/pom.xml verify -Dherald.bench=true -Dtest=IngestBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * Tunables: {@code -Dherald.bench.clients=32 -Dherald.bench.seconds=10 -Dherald.bench.warmup=10}, and
 * {@code -Dherald.bench.raw=true} to measure plain producer sends to the same broker first, for comparison.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@EnabledIfSystemProperty(named = "herald.bench", matches = "true")
class IngestBenchmark {

    @TestHTTPResource("/v1/rooms/bench/notifications")
    URL url;

    @Test
    void acceptedNotificationsPerSecond() throws Exception {
        int clients = Integer.getInteger("herald.bench.clients", 32);
        int seconds = Integer.getInteger("herald.bench.seconds", 10);
        TestKeys.Key key = TestKeys.any();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String body = "{\"subject\":\"Disk almost full\",\"body\":\"nas1: /volume1 at 97% (120 GB left)\","
                + "\"link\":\"https://nas1.local/storage\"}";
        if (Boolean.getBoolean("herald.bench.raw")) {
            rawKafka(clients, seconds, body);
        }
        run("warm-up", client, key, body, clients, Integer.getInteger("herald.bench.warmup", 10), false);
        run("no Idempotency-Key", client, key, body, clients, seconds, false);
        run("with Idempotency-Key", client, key, body, clients, seconds, true);
    }

    private void run(String name, HttpClient client, TestKeys.Key key, String body, int clients, int seconds,
            boolean idempotent) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<long[]>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                long[] latencies = new long[1 << 20];
                int n = 0;
                long errors = 0;
                while (!stop.get()) {
                    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.toString()))
                            .header("Authorization", key.bearer()).header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body));
                    if (idempotent) {
                        request.header("Idempotency-Key", UUID.randomUUID().toString());
                    }
                    long t0 = System.nanoTime();
                    HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() == 202 && n < latencies.length) {
                        latencies[n++] = System.nanoTime() - t0;
                    } else if (response.statusCode() != 202) {
                        errors++;
                    }
                }
                long[] result = Arrays.copyOf(latencies, n + 1);
                result[n] = -errors - 1; // last slot: the error count, negative
                return result;
            }));
        }
        Thread.sleep(seconds * 1000L); // the measuring window, not a synchronisation
        stop.set(true);
        List<Long> all = new ArrayList<>();
        long errors = 0;
        for (Future<long[]> f : futures) {
            long[] r = f.get();
            errors += -r[r.length - 1] - 1;
            for (int i = 0; i < r.length - 1; i++) {
                all.add(r[i]);
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdownNow();
        all.sort(null);
        System.out.printf("BENCH %-22s clients=%d  accepted=%d in %.1fs = %.0f notifications/s  p50=%.1fms p99=%.1fms"
                        + "  non-202=%d%n", name, clients, all.size(), elapsed, all.size() / elapsed,
                percentile(all, 0.5), percentile(all, 0.99), errors);
    }

    /** The same load straight into the broker (sync sends, acks=all): the ceiling HTTP intake can reach here. */
    private static void rawKafka(int clients, int seconds, String body) throws Exception {
        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", io.herald.testsupport.KafkaRecords.bootstrapServers());
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        props.put("compression.type", "lz4");
        props.put("linger.ms", "2");
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(props,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            AtomicBoolean stop = new AtomicBoolean();
            java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
            long start = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("herald.bench.raw", "bench", body)).get();
                        nanos.addAndGet(System.nanoTime() - t0);
                        sent.incrementAndGet();
                    }
                    return null;
                });
            }
            Thread.sleep(seconds * 1000L);
            stop.set(true);
            pool.shutdown();
            pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf("BENCH %-22s clients=%d  acked=%d in %.1fs = %.0f records/s  mean=%.1fms%n", "raw Kafka (sync)",
                    clients, sent.get(), elapsed, sent.get() / elapsed, nanos.get() / 1e6 / Math.max(1, sent.get()));
        }
    }

    private static double percentile(List<Long> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, sorted.size() * p)) / 1e6;
    }
}

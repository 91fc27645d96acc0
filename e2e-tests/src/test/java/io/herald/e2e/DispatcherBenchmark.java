package io.herald.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.herald.common.Delivery;
import io.herald.common.Destination;
import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.testsupport.EmbeddedKafka;
import io.herald.testsupport.EmbeddedPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmark, not a test (prints numbers, asserts nothing about speed): deliveries per second from Kafka through one
 * packaged dispatcher to a local fast homeserver, with the broker and PostgreSQL on the same machine; then the send
 * latency (delivery created → homeserver received) at half that rate.
 *
 * <pre>./mvnw -f e2e-tests/pom.xml verify -Dtest=DispatcherBenchmark -Dherald.bench=true [-Dherald.bench.deliveries=50000]</pre>
 */
@EnabledIfSystemProperty(named = "herald.bench", matches = "true")
class DispatcherBenchmark {

    private static final Pattern STAMP = Pattern.compile("\"bench_ts\":(\\d+)");

    @Test
    void deliveriesPerSecondAndLatency() throws Exception {
        int count = Integer.getInteger("herald.bench.deliveries", 50_000);
        int rooms = 1000;
        String kafka = EmbeddedKafka.bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "herald.deliveries.bench-" + run;
        TestKafka.createTopic(kafka, topic, 8);

        try (FakeHomeserver sink = new FakeHomeserver()) {
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicLong measuring = new AtomicLong(0);
            sink.onFirstDelivery(e -> {
                if (measuring.get() == 1) {
                    Matcher m = STAMP.matcher(e.body());
                    if (m.find()) {
                        latencies.add(e.receivedEpochMicros() - Long.parseLong(m.group(1)));
                    }
                }
            });
            String account = "bench-" + run;
            Map<String, String> config = new HashMap<>(Map.of(
                    "kafka.bootstrap.servers", kafka,
                    "quarkus.datasource.jdbc.url", EmbeddedPostgres.jdbcUrl(),
                    "quarkus.datasource.username", "postgres",
                    "quarkus.datasource.password", "postgres",
                    "herald.secrets.key", "YmVuY2htYXJrLWtleS0zMi1ieXRlcy1sb25nLS0tLS0=",
                    "herald.dispatcher.account.rate-per-second", "1000000",
                    "herald.dispatcher.account.burst", "1000000",
                    "herald.dispatcher.homeserver.max-concurrency", "64",
                    "herald.dispatcher.outbound.homeserver-networks", "127.0.0.0/8",
                    "mp.messaging.incoming.deliveries.topic", topic));
            config.put("mp.messaging.incoming.deliveries.group.id", "bench-" + run);
            config.put("quarkus.log.level", "WARN");
            // -Dherald.bench.dispatcher.<property>=<value>: a dispatcher setting for this run (e.g. max-in-flight)
            System.getProperties().stringPropertyNames().stream().filter(n -> n.startsWith("herald.bench.dispatcher."))
                    .forEach(n -> config.put("herald.dispatcher." + n.substring("herald.bench.dispatcher.".length()),
                            System.getProperty(n)));
            AdminToken.sendByDefault();
            try (ServiceProcess dispatcher = ServiceProcess.start("dispatcher-service", "dispatcher-bench", config)) {
                given().contentType("application/json").body("{\"id\":\"" + account + "\",\"homeserver\":\"" + sink.url()
                        + "\",\"access_token\":\"t\"}").post(dispatcher.url() + "/v1/matrix-accounts").then().statusCode(201);
                // Warm-up until the JIT compilers of the dispatcher and of this JVM (broker, homeserver) settled:
                // rounds of count/5 deliveries, at least two, then until two rounds in a row in which they used
                // under 2% of the machine (compiling comes in bursts; at most 5 minutes). Then throughput: `count`
                // deliveries over `rooms` rooms, produced faster than they are dispatched, timed from the first event
                // the homeserver saw to the last.
                int round = Math.max(1, count / 5);
                int warmup = 0;
                double compiling;
                int quietRounds = 0;
                long warmupStart = System.nanoTime();
                do {
                    Duration compilersBefore = LinuxCpu.compilers(dispatcher.pid(), ProcessHandle.current().pid());
                    long roundStart = System.nanoTime();
                    try (KafkaProducer<String, String> producer = TestKafka.producer(kafka)) {
                        for (int i = 0; i < round; i++) {
                            producer.send(record(topic, account, i % rooms, -1 - warmup - i, false));
                        }
                    }
                    await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(50)).until(() -> sink.events() >= round);
                    // Keeping every warm-up event made this JVM's young collections take 100-300 ms, and the broker
                    // beside it stopped with them: that was the latency tail being measured.
                    sink.forgetEvents();
                    warmup += round;
                    compiling = LinuxCpu.compilers(dispatcher.pid(), ProcessHandle.current().pid())
                            .minus(compilersBefore).toNanos() / (double) (System.nanoTime() - roundStart);
                    quietRounds = compiling < 0.02 * Runtime.getRuntime().availableProcessors() ? quietRounds + 1 : 0;
                } while ((warmup < 2 * round || quietRounds < 2)
                        && System.nanoTime() - warmupStart < Duration.ofMinutes(5).toNanos());
                System.out.printf("%nBENCH dispatcher warm-up: %d deliveries in %.0f s; JIT compilers busy %.1f%% of a core"
                        + " in the last round%n", warmup, (System.nanoTime() - warmupStart) / 1e9, compiling * 100);
                long measuredFrom = System.nanoTime();
                Duration cpuBefore = dispatcher.cpuTime();
                Duration machineBefore = LinuxCpu.machineBusy();
                try (KafkaProducer<String, String> producer = TestKafka.producer(kafka)) {
                    for (int i = 0; i < count; i++) {
                        producer.send(record(topic, account, i % rooms, i, false));
                    }
                }
                await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(50))
                        .until(() -> sink.events() >= count);
                long first = sink.eventsByTxn().values().stream().mapToLong(FakeHomeserver.Event::receivedNanos)
                        .filter(t -> t >= measuredFrom).min().orElseThrow();
                long last = sink.eventsByTxn().values().stream().mapToLong(FakeHomeserver.Event::receivedNanos).max().orElseThrow();
                double seconds = (last - first) / 1e9;
                double rate = count / seconds;
                System.out.printf("%nBENCH dispatcher throughput: %d deliveries in %.2f s = %.0f deliveries/s "
                        + "(1 dispatcher, %d rooms, 8 partitions, broker and PostgreSQL on the same 2 cores); "
                        + "dispatcher CPU %.0f µs per delivery, machine %.0f µs%n", count, seconds, rate, rooms,
                        perItem(cpuBefore, dispatcher.cpuTime(), count), perItem(machineBefore, LinuxCpu.machineBusy(), count));

                // Latency for 15 s at half that rate, or at -Dherald.bench.latency-rate (e.g. half the 10,000/s target).
                int half = Integer.getInteger("herald.bench.latency-rate", (int) (rate / 2));
                int total = half * 15;
                measuring.set(1);
                int before = sink.events();
                latencies.clear();
                Duration pacedCpuBefore = dispatcher.cpuTime();
                Duration pacedMachineBefore = LinuxCpu.machineBusy();
                try (KafkaProducer<String, String> producer = TestKafka.producer(kafka)) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < total; i++) {
                        long due = t0 + (long) (i * 1e9 / half);
                        long early = due - System.nanoTime();
                        if (early > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(early); // no busy wait: the cores are shared
                        }
                        producer.send(record(topic, account, i % rooms, count + i, true));
                    }
                }
                await().atMost(Duration.ofMinutes(5)).until(() -> sink.events() >= before + total);
                List<Long> sorted = new ArrayList<>(latencies);
                Collections.sort(sorted);
                System.out.printf("BENCH dispatcher latency at %d deliveries/s for 15 s (%d deliveries): p50 %.1f ms, "
                        + "p99 %.1f ms, max %.1f ms; dispatcher CPU %.0f µs per delivery, machine %.0f µs%n%n", half,
                        sorted.size(), pct(sorted, 0.50) / 1000.0, pct(sorted, 0.99) / 1000.0,
                        sorted.get(sorted.size() - 1) / 1000.0, perItem(pacedCpuBefore, dispatcher.cpuTime(), total),
                        perItem(pacedMachineBefore, LinuxCpu.machineBusy(), total));
            }
        }
    }

    private static double perItem(Duration before, Duration after, int items) {
        return after.minus(before).toNanos() / 1000.0 / Math.max(1, items);
    }

    private static ProducerRecord<String, String> record(String topic, String account, int room, int i, boolean stamp) {
        Destination destination = Destination.room(account, "!bench" + room + ":example.org");
        String id = UUID.randomUUID().toString();
        Map<String, Object> content = new HashMap<>(Map.of("msgtype", "m.text", "body", "benchmark message " + i));
        if (stamp) {
            Instant now = Instant.now();
            content.put("bench_ts", now.getEpochSecond() * 1_000_000 + now.getNano() / 1000);
        }
        Delivery d = new Delivery(Delivery.idFor(id, destination), id, "bench", destination,
                MatrixEvent.message("@herald:localhost", content), Map.of(), "high", 0,
                Instant.now().plus(Duration.ofHours(1)), Instant.now());
        return new ProducerRecord<>(topic, destination.key(), Json.encode(d));
    }

    private static long pct(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }
}

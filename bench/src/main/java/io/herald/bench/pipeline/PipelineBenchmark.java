package io.herald.bench.pipeline;

import io.herald.common.Json;
import io.herald.common.MatrixEvent;
import io.herald.common.NotificationEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The whole pipeline under load, on one machine: HTTP intake → herald.notifications → rules-service →
 * herald.deliveries → dispatcher → a counting homeserver in this process. Prints numbers, asserts nothing.
 *
 * <ol>
 * <li>HTTP at full speed: {@code --connections} keep-alive clients post for {@code --seconds}; the end-to-end rate is
 * every accepted notification over the time until the homeserver had the last of them.</li>
 * <li>HTTP at half that rate (open loop, paced): latency from the 202 to the homeserver receiving the message.</li>
 * <li>Producers writing to Kafka directly: {@code --kafka-records} notification records as fast as the producer
 * goes; the rate at which the homeserver receives them.</li>
 * </ol>
 * The services must be running (bench/pipeline.sh starts everything); the dispatcher's account rate limit should be
 * lifted ({@code HERALD_DISPATCHER_ACCOUNT_RATE_PER_SECOND}), or it is what gets measured.
 */
public final class PipelineBenchmark {

    private final Map<String, String> options;
    private final Vertx vertx = Vertx.vertx();
    private final java.net.http.HttpClient admin = java.net.http.HttpClient.newHttpClient();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final int rooms;
    private final AtomicInteger nextSeq = new AtomicInteger();
    private final AtomicLongArray acceptedAt;
    private final AtomicLongArray sentAt;
    private final ProcessCpu cpu;
    private CountingHomeserver homeserver;
    private String apiKey;

    private PipelineBenchmark(Map<String, String> options) {
        this.options = options;
        this.rooms = Integer.parseInt(option("rooms", "100"));
        this.acceptedAt = new AtomicLongArray(Integer.parseInt(option("capacity", "8000000")));
        this.sentAt = new AtomicLongArray(acceptedAt.length());
        // the benchmark's own JVM too (load generator, counting homeserver): what the machine had left for Herald
        this.cpu = new ProcessCpu(option("pids", "") + ",bench=" + ProcessHandle.current().pid());
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        PipelineBenchmark bench = new PipelineBenchmark(options);
        try {
            bench.runAll();
        } finally {
            bench.vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        System.exit(0);
    }

    private String option(String name, String otherwise) {
        return options.getOrDefault(name, otherwise);
    }

    /** The intake endpoint the load generator posts to: {@code json} or {@code plain} ({@code --endpoint}). */
    private volatile String endpoint = "json";

    /** Every n-th request carries a sampled {@code traceparent} (its caller traces it); 0: none (tracing-ab). */
    private volatile int tracedEvery;

    private void runAll() throws Exception {
        int seconds = Integer.parseInt(option("seconds", "20"));
        int connections = Integer.parseInt(option("connections", "64"));
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(100_000));
        Context context = vertx.getOrCreateContext();
        if (option("mode", "pipeline").equals("ingest")) {
            intakeOnly(client, context, connections, seconds);
            return;
        }
        homeserver = new CountingHomeserver(vertx, acceptedAt.length());
        setUp();
        if (option("mode", "pipeline").equals("tracing-ab")) {
            tracingAb(client, context, connections, seconds);
            return;
        }

        warmUp("HTTP", Long.parseLong(option("warmup", "30000")), () -> {
            Phase warmup = closedLoop(client, context, connections, 5);
            warmup.drain(homeserver, 300);
            return warmup.accepted.get();
        });

        Map<String, Double> cpuBefore = cpu.sample();
        Phase full = closedLoop(client, context, connections, seconds);
        double intakeRate = full.accepted.get() / (double) seconds;
        long drained = full.drain(homeserver, 600);
        String cpuPerNotification = ProcessCpu.perItem(cpuBefore, cpu.sample(), full.accepted.get());
        double e2eRate = full.accepted.get() / ((drained - full.startNanos) / 1e9);
        System.out.printf("PIPELINE http-full-speed: connections=%d seconds=%d accepted=%d (%.0f/s at intake) non-202=%d"
                        + " -> delivered all in %.1f s = %.0f notifications/s end to end; duplicates at the homeserver=%d%n",
                connections, seconds, full.accepted.get(), intakeRate, full.failed.get(),
                (drained - full.startNanos) / 1e9, e2eRate, homeserver.duplicates());
        System.out.printf("PIPELINE http-full-speed CPU per notification: %s%n", cpuPerNotification);

        int halfRate = Math.max(1, (int) (Math.min(e2eRate, intakeRate) / 2));
        Phase paced = openLoop(client, context, halfRate, seconds);
        paced.drain(homeserver, 300);
        long[] latencies = paced.latencies(homeserver, acceptedAt);
        System.out.printf("PIPELINE http-half-rate: rate=%d/s seconds=%d accepted=%d non-202=%d latency 202->homeserver"
                        + " p50=%.1f ms p99=%.1f ms max=%.1f ms%n", halfRate, seconds, paced.accepted.get(),
                paced.failed.get(), percentile(latencies, 0.50), percentile(latencies, 0.99),
                percentile(latencies, 1.0));

        int kafkaRecords = Integer.parseInt(option("kafka-records", "100000"));
        if (kafkaRecords > 0) {
            // Other code runs hot when records come in batches from a backlog (and the load generator's producer is
            // new): warmed up separately.
            warmUp("Kafka-direct", kafkaRecords, () -> kafkaDirect(Math.max(1, kafkaRecords / 2), false));
            kafkaDirect(kafkaRecords, true);
        }
        System.out.printf("PIPELINE duplicates at the homeserver over the whole run: %d%n", homeserver.duplicates());
        client.close();
        homeserver.close();
    }

    /**
     * What tracing 10% of notifications costs, measured in one run (issue #18): on this VM the speed of the machine
     * moves by a third within the hour, more than the cost, so runs with and without tracing compared one after the
     * other mostly measure the machine. Here the stack runs with tracing on and the sampler at 0 (pipeline.sh's
     * BENCH_MODE=tracing-ab), so that a notification is traced exactly when its request carries a sampled
     * {@code traceparent}; phases without (A) and with such a header on every tenth request (B) alternate in blocks
     * A B B A ({@code --ab-rounds} of them), which cancels a steady drift of the machine's speed. Each adjacent pair
     * (A B, then B A) gives one relative difference; their mean and its 95% confidence interval (Student's t) are
     * printed, so a cost is claimed only where the noise of the run allows it.
     *
     * <p>The phases run at the same paced rate (half of what the stack takes at full speed, {@code --ab-load paced},
     * the default), so the CPU per notification compares the same work: at full speed ({@code --ab-load closed}) a
     * cost lowers the throughput, smaller batches then cost every process more per record, and the difference
     * measured is a multiple of the cost. B − A is everything tracing does for the tenth it traces (spans,
     * attributes, the header across both Kafka hops, the export, the receiver's share of the machine); what remains
     * for the other nine tenths (ingest asks the sampler) is in A.
     *
     * <p>{@code --ab-traced-every 2} traces every second request in B instead of every tenth: the work of a traced
     * notification does not depend on how many others are traced, so B − A grows fivefold while the machine's noise
     * does not, and the figure for a tenth is that difference divided by five (printed too).
     */
    private void tracingAb(HttpClient client, Context context, int connections, int seconds) throws Exception {
        int every = Integer.parseInt(option("ab-traced-every", "10"));
        tracedEvery = every;
        warmUp("HTTP, B's share traced", Long.parseLong(option("warmup", "30000")), () -> {
            Phase warmup = closedLoop(client, context, connections, 5);
            warmup.drain(homeserver, 300);
            return warmup.accepted.get();
        });
        boolean paced = option("ab-load", "paced").equals("paced");
        int rate = 0;
        if (paced) {
            tracedEvery = 0;
            Phase full = closedLoop(client, context, connections, 10);
            long drained = full.drain(homeserver, 600);
            rate = Math.max(1, (int) (full.accepted.get() / ((drained - full.startNanos) / 1e9) / 2));
            System.out.printf("PIPELINE tracing-ab: %.0f notifications/s at full speed; phases paced at %d/s%n",
                    full.accepted.get() / ((drained - full.startNanos) / 1e9), rate);
        }
        String order = "ABBA".repeat(Integer.parseInt(option("ab-rounds", "2")));
        // per phase: notifications/s end to end, machine µs and Herald's three services' µs per notification
        List<double[]> measured = new ArrayList<>();
        for (char which : order.toCharArray()) {
            tracedEvery = which == 'B' ? every : 0;
            Map<String, Double> before = cpu.sample();
            Phase phase = paced ? openLoop(client, context, rate, seconds) : closedLoop(client, context, connections,
                    seconds);
            long drained = phase.drain(homeserver, 600);
            Map<String, Double> after = cpu.sample();
            long n = Math.max(1, phase.accepted.get());
            double services = 0;
            for (String service : List.of("ingest", "rules", "dispatcher")) {
                services += (after.getOrDefault(service, 0.0) - before.getOrDefault(service, 0.0)) * 1e6 / n;
            }
            double[] m = {n / ((drained - phase.startNanos) / 1e9),
                    (after.get("machine") - before.get("machine")) * 1e6 / n, services};
            measured.add(m);
            String latency = "";
            if (paced) {
                long[] latencies = phase.latencies(homeserver, acceptedAt);
                latency = String.format(", 202->homeserver p50 %.1f ms p99 %.1f ms", percentile(latencies, 0.5),
                        percentile(latencies, 0.99));
            }
            System.out.printf("PIPELINE tracing-ab phase %s (%s): %d accepted, %.0f notifications/s end to end%s; CPU"
                            + " per notification: %s%n", which, which == 'A' ? "none traced" : "1 in " + every + " traced", n,
                    m[0], latency, ProcessCpu.perItem(before, after, n));
        }
        String[] names = {"throughput", "machine CPU per notification", "services' CPU per notification"};
        StringBuilder line = new StringBuilder("PIPELINE tracing-ab (" + (paced ? "paced at " + rate + "/s" : "full speed")
                + "), 1 in " + every + " traced against none, mean of " + order.length() / 2
                + " adjacent pairs with its 95% confidence interval:");
        StringBuilder tenth = new StringBuilder();
        for (int k = paced ? 1 : 0; k < names.length; k++) {
            double[] differences = new double[order.length() / 2];
            double[] scaled = new double[differences.length];
            for (int pair = 0; pair < differences.length; pair++) {
                int a = order.charAt(2 * pair) == 'A' ? 2 * pair : 2 * pair + 1;
                int b = a == 2 * pair ? a + 1 : 2 * pair;
                differences[pair] = 100 * (measured.get(b)[k] / measured.get(a)[k] - 1);
                scaled[pair] = differences[pair] * every / 10.0;
            }
            line.append(String.format(" %s %s;", names[k], meanWithInterval(differences)));
            tenth.append(String.format(" %s %s;", names[k], meanWithInterval(scaled)));
        }
        if (every != 10) {
            line.append(" so for a tenth traced:").append(tenth);
        }
        line.append(" duplicates at the homeserver=").append(homeserver.duplicates());
        System.out.println(line);
        client.close();
        homeserver.close();
    }

    /** "+1.2% ± 3.4% (n=8)": the mean and the half-width of its 95% confidence interval (Student's t). */
    static String meanWithInterval(double[] values) {
        int n = values.length;
        double mean = Arrays.stream(values).average().orElse(Double.NaN);
        if (n < 2) {
            return String.format("%+.1f%% (n=%d, no interval)", mean, n);
        }
        double variance = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / (n - 1);
        double[] t95 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
                2.145, 2.131}; // two-sided, by degrees of freedom 1..15; beyond, 2.1 (t is 2.12 at 16, 2.04 at 30)
        double t = n - 1 <= t95.length ? t95[n - 2] : 2.1;
        return String.format("%+.1f%% ± %.1f%% (n=%d)", mean, t * Math.sqrt(variance / n), n);
    }

    /**
     * Intake alone (issue #5): accepted notifications per second at full speed, then the time to the 202 at half that
     * rate (open loop). Whatever consumes herald.notifications is not measured; stop it to give intake the machine.
     */
    private void intakeOnly(HttpClient client, Context context, int connections, int seconds) throws Exception {
        apiKey = createApiKey();
        // --endpoint json (POST …/notifications), plain (the one-line POST …/send, text/plain with Title and Link
        // headers) or both: measured alternately on the same stack, twice each, so they are compared back to back
        List<String> endpoints = option("endpoint", "json").equals("both") ? List.of("json", "plain")
                : List.of(option("endpoint", "json"));
        warmUp("intake", 100_000, () -> {
            long accepted = 0;
            for (String e : endpoints) {
                endpoint = e;
                accepted += closedLoop(client, context, connections, 10).accepted.get();
            }
            return accepted;
        });
        for (int round = 1; round <= (endpoints.size() > 1 ? 2 : 1); round++) {
            for (String e : endpoints) {
                endpoint = e;
                intakeRound(client, context, connections, seconds);
            }
        }
        client.close();
    }

    private void intakeRound(HttpClient client, Context context, int connections, int seconds) throws Exception {
        Map<String, Double> cpuBefore = cpu.sample();
        Phase full = closedLoop(client, context, connections, seconds);
        double rate = full.accepted.get() / (double) seconds;
        long[] fullLatencies = full.responseTimes(sentAt, acceptedAt);
        System.out.printf("INGEST full-speed endpoint=%s: connections=%d seconds=%d accepted=%d = %.0f notifications/s"
                        + " non-202=%d 202 after p50=%.1f ms p99=%.1f ms; CPU per notification: %s%n", endpoint,
                connections, seconds, full.accepted.get(), rate, full.failed.get(), percentile(fullLatencies, 0.5),
                percentile(fullLatencies, 0.99), ProcessCpu.perItem(cpuBefore, cpu.sample(), full.accepted.get()));
        int half = Math.max(1, (int) (rate / 2));
        Phase paced = openLoop(client, context, half, seconds);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (paced.inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        long[] latencies = paced.responseTimes(sentAt, acceptedAt);
        System.out.printf("INGEST half-rate endpoint=%s: rate=%d/s seconds=%d accepted=%d non-202=%d 202 after p50=%.1f"
                        + " ms p99=%.1f ms max=%.1f ms%n", endpoint, half, seconds, paced.accepted.get(),
                paced.failed.get(), percentile(latencies, 0.5), percentile(latencies, 0.99), percentile(latencies, 1.0));
    }

    /** An account on the counting homeserver, {@code rooms} Herald rooms linked to it, and an API key for them. */
    private void setUp() throws Exception {
        String account = "bench-" + run;
        call("POST", option("dispatcher", "http://127.0.0.1:8083") + "/v1/matrix-accounts", token(),
                "{\"id\":\"" + account + "\",\"homeserver\":\"" + homeserver.url() + "\",\"access_token\":\"bench\","
                        + "\"user_id\":\"@bench:localhost\",\"device_id\":\"HERALDBENCH\"}");
        for (int r = 0; r < rooms; r++) {
            call("PUT", option("rules", "http://127.0.0.1:8082") + "/v1/rooms/" + room(r), token(),
                    "{\"matrix_room_id\":\"!bench" + r + ":localhost\",\"account\":\"" + account + "\"}");
        }
        apiKey = createApiKey();
    }

    private String createApiKey() throws Exception {
        String created = call("POST", option("ingest", "http://127.0.0.1:8081") + "/v1/admin/api-keys", token(),
                "{\"name\":\"pipeline benchmark " + run + "\",\"tenant\":\"bench\",\"sender\":\"@herald:localhost\","
                        + "\"rooms\":[\"*\"],\"rate_limit\":{\"per_second\":1000000,\"burst\":1000000}}");
        return new JsonObject(created).getString("key");
    }

    /** A service token with the admin role: --token (--admin-token), else HERALD_TOKEN. */
    private String token() {
        return option("token", option("admin-token", System.getenv("HERALD_TOKEN")));
    }

    private String room(int r) {
        return "bench-" + run + "-" + r;
    }

    private String call(String method, String url, String bearer, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response = admin.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + url + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body();
    }

    /** Notifications of one phase: sequence numbers [first, last) and what happened to them. */
    private static final class Phase {
        final int first;
        volatile int last;
        final long startNanos = System.nanoTime();
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicInteger inFlight = new AtomicInteger();

        Phase(int first) {
            this.first = first;
        }

        /** Waits until the homeserver has every accepted notification of the phase; returns when it had the last. */
        long drain(CountingHomeserver homeserver, int maxSeconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long target = accepted.get();
            long lastArrival = 0;
            while (System.nanoTime() < deadline) {
                long have = 0;
                lastArrival = 0;
                for (int seq = first; seq < last; seq++) {
                    long at = homeserver.arrival(seq);
                    if (at != 0) {
                        have++;
                        lastArrival = Math.max(lastArrival, at);
                    }
                }
                if (have >= target) {
                    return lastArrival;
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("the homeserver did not receive every accepted notification within "
                    + maxSeconds + " s");
        }

        /** Request sent → 202 received, sorted, of the accepted ones. */
        long[] responseTimes(AtomicLongArray sentAt, AtomicLongArray acceptedAt) {
            long[] result = new long[last - first];
            int n = 0;
            for (int seq = first; seq < last; seq++) {
                long accepted = acceptedAt.get(seq);
                if (accepted != 0) {
                    result[n++] = accepted - sentAt.get(seq);
                }
            }
            long[] sorted = Arrays.copyOf(result, n);
            Arrays.sort(sorted);
            return sorted;
        }

        long[] latencies(CountingHomeserver homeserver, AtomicLongArray acceptedAt) {
            long[] result = new long[last - first];
            int n = 0;
            for (int seq = first; seq < last; seq++) {
                long accepted = acceptedAt.get(seq);
                long arrived = homeserver.arrival(seq);
                if (accepted != 0 && arrived != 0) {
                    result[n++] = Math.max(0, arrived - accepted);
                }
            }
            long[] sorted = Arrays.copyOf(result, n);
            Arrays.sort(sorted);
            return sorted;
        }
    }

    /** {@code connections} clients, each posting again as soon as its previous post was answered. */
    private Phase closedLoop(HttpClient client, Context context, int connections, int seconds) throws Exception {
        Phase phase = new Phase(nextSeq.get());
        long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger running = new AtomicInteger(connections);
        context.runOnContext(v -> {
            for (int c = 0; c < connections; c++) {
                postLoop(client, phase, stopAt, () -> {
                    if (running.decrementAndGet() == 0) {
                        done.complete(null);
                    }
                });
            }
        });
        done.get(seconds + 120L, TimeUnit.SECONDS);
        phase.last = nextSeq.get();
        return phase;
    }

    private void postLoop(HttpClient client, Phase phase, long stopAt, Runnable finished) {
        if (System.nanoTime() >= stopAt) {
            finished.run();
            return;
        }
        post(client, phase).onComplete(ar -> postLoop(client, phase, stopAt, finished));
    }

    /** Posts at {@code rate} per second whatever the answers take (open loop), for {@code seconds}. */
    private Phase openLoop(HttpClient client, Context context, int rate, int seconds) throws Exception {
        Phase phase = new Phase(nextSeq.get());
        long total = (long) rate * seconds;
        AtomicLong sent = new AtomicLong();
        CompletableFuture<Void> done = new CompletableFuture<>();
        context.runOnContext(v -> vertx.setPeriodic(1, timer -> {
            long due = Math.min(total, (System.nanoTime() - phase.startNanos) * rate / 1_000_000_000L);
            while (sent.get() < due) {
                sent.incrementAndGet();
                post(client, phase);
            }
            if (sent.get() >= total) {
                vertx.cancelTimer(timer);
                done.complete(null);
            }
        }));
        done.get(seconds + 60L, TimeUnit.SECONDS);
        phase.last = nextSeq.get();
        return phase;
    }

    private io.vertx.core.Future<Void> post(HttpClient client, Phase phase) {
        int seq = nextSeq.getAndIncrement();
        sentAt.set(seq, System.nanoTime());
        String message = "hb:" + seq + "; volume /var on db-" + (seq % 50) + " is at 91% (threshold 90%)";
        phase.inFlight.incrementAndGet();
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST)
                .putHeader("Authorization", "Bearer " + apiKey);
        int every = tracedEvery;
        if (every > 0 && seq % every == 0) {
            request.putHeader("traceparent", String.format("00-%016x%016x-%016x-01", run.hashCode() | 1L, seq + 1L,
                    seq + 1L));
        }
        String body;
        if (endpoint.equals("plain")) { // the same notification as one line: the message as body, the rest as headers
            body = message;
            request.setAbsoluteURI(option("ingest", "http://127.0.0.1:8081") + "/v1/rooms/" + room(seq % rooms) + "/send")
                    .putHeader("Content-Type", "text/plain").putHeader("Title", "Disk almost full")
                    .putHeader("Link", "https://grafana.example.org/d/disk");
        } else {
            body = "{\"subject\":\"Disk almost full\",\"body\":\"" + message
                    + "\",\"link\":\"https://grafana.example.org/d/disk\"}";
            request.setAbsoluteURI(option("ingest", "http://127.0.0.1:8081") + "/v1/rooms/" + room(seq % rooms)
                    + "/notifications").putHeader("Content-Type", "application/json");
        }
        return client.request(request)
                .compose(r -> r.send(Buffer.buffer(body)))
                .compose(response -> response.body().map(ignored -> response))
                .map(HttpClientResponse::statusCode)
                .otherwise(-1)
                .map(status -> {
                    if (status == 202) {
                        acceptedAt.set(seq, System.nanoTime());
                        phase.accepted.incrementAndGet();
                    } else {
                        phase.failed.incrementAndGet();
                    }
                    phase.inFlight.decrementAndGet();
                    return null;
                });
    }

    /**
     * Runs warm-up rounds until the JIT compilers settled: at least {@code minimum} notifications, then until a round
     * in which the compiler threads of all processes used under 2% of the machine, twice in a row (or
     * --warmup-max-seconds, 240).
     * Five JVMs share two cores here, so compiling takes minutes, not seconds; measured before that, a third of the
     * CPU went to C2 and the figures described the warm-up, not the steady state.
     */
    private void warmUp(String what, long minimum, Callable<Long> round) throws Exception {
        long warmedUp = 0;
        long start = System.nanoTime();
        long ends = start + TimeUnit.SECONDS.toNanos(Long.parseLong(option("warmup-max-seconds", "240")));
        double compiling = Double.NaN;
        int quietRounds = 0;
        // the measured phases need sequence numbers of their own: at most 1.5 million of them (60 s phases)
        long lastWarmUpSeq = acceptedAt.length() - 1_500_000L;
        while (System.nanoTime() < ends && nextSeq.get() < lastWarmUpSeq) {
            double compilerBefore = cpu.compilerSeconds();
            long roundStart = System.nanoTime();
            warmedUp += round.call();
            compiling = (cpu.compilerSeconds() - compilerBefore) / ((System.nanoTime() - roundStart) / 1e9);
            // two quiet rounds in a row: compiling comes in bursts (a deoptimized method is compiled again)
            quietRounds = compiling < 0.02 * Runtime.getRuntime().availableProcessors() ? quietRounds + 1 : 0;
            if (warmedUp >= minimum && quietRounds >= 2) {
                break;
            }
        }
        System.out.printf("warm-up %s: %d notifications in %.0f s; JIT compilers busy %.1f%% of a"
                + " core in the last round%n", what, warmedUp, (System.nanoTime() - start) / 1e9, compiling * 100);
    }

    /** Notification records written straight to herald.notifications, as a producer of the Kafka contract would. */
    private long kafkaDirect(int count, boolean report) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", option("kafka", "127.0.0.1:9092"));
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        props.put("compression.type", "lz4");
        props.put("linger.ms", "5");
        Phase phase = new Phase(nextSeq.get());
        Map<String, Double> cpuBefore = cpu.sample();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                int seq = nextSeq.getAndIncrement();
                String room = room(seq % rooms);
                NotificationEvent event = new NotificationEvent(UUID.randomUUID().toString(), room,
                        MatrixEvent.message("@herald:localhost", Map.of("msgtype", "m.text",
                                "body", "hb:" + seq + "; volume /var on db-" + (seq % 50) + " is at 91%")),
                        Instant.now(), "bench");
                producer.send(new ProducerRecord<>("herald.notifications", room, Json.encode(event)));
                phase.accepted.incrementAndGet();
            }
        }
        double produceSeconds = (System.nanoTime() - phase.startNanos) / 1e9;
        phase.last = nextSeq.get();
        long drained = phase.drain(homeserver, 600);
        double seconds = (drained - phase.startNanos) / 1e9;
        if (!report) {
            return count;
        }
        System.out.printf("PIPELINE kafka-direct: records=%d produced in %.1f s (%.0f/s) -> delivered all in %.1f s"
                + " = %.0f notifications/s end to end%n", count, produceSeconds, count / produceSeconds, seconds,
                count / seconds);
        System.out.printf("PIPELINE kafka-direct CPU per notification: %s%n",
                ProcessCpu.perItem(cpuBefore, cpu.sample(), count));
        return count;
    }

    private static double percentile(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sortedNanos.length - 1, Math.max(0, Math.ceil(p * sortedNanos.length) - 1));
        return sortedNanos[index] / 1e6;
    }
}

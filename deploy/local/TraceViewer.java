import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * A tiny OpenTelemetry trace receiver for trying Herald out without a collector: it accepts OTLP over HTTP (protobuf,
 * as the services export with {@code quarkus.otel.exporter.otlp.traces.protocol=http/protobuf}) and shows each
 * trace as a tree of spans, on standard output (a trace is printed once no span of it arrived for two seconds) and at
 * {@code GET /} (the latest traces), {@code GET /traces/<trace id>}, {@code GET /notifications/<notification id>} (the
 * trace whose spans carry that {@code herald.notification.id}: the console's trace link) and {@code GET /traces.json}
 * (every span kept, for tests). It keeps the latest 1,000 traces in memory. No dependencies: run it as a source file.
 *
 * <pre>
 *   java deploy/local/TraceViewer.java [port] [--discard]
 *        port: default 4318, the OTLP/HTTP port (0 picks one and prints it)
 *        --discard: accept and count the spans' requests without decoding them (bench/pipeline.sh, which measures
 *                   what tracing costs the services, not this viewer)
 * </pre>
 *
 * {@code deploy/local/run.sh --observability} starts it and points the three services at it. For anything beyond a
 * try-out use a real collector (docs/operations.md, "Traces").
 */
public final class TraceViewer {

    /** One span as received. */
    record Span(String traceId, String spanId, String parentId, String name, int kind, String service, long start,
            long end, Map<String, Object> attributes, List<String> events, int status, String statusMessage) {

        double millis() {
            return (end - start) / 1_000_000.0;
        }
    }

    private static final String[] KINDS = {"unspecified", "internal", "server", "client", "producer", "consumer"};
    private static final int MAX_TRACES = 1000;

    private final Map<String, List<Span>> traces = new LinkedHashMap<>();
    private final Map<String, Long> updated = new ConcurrentHashMap<>();
    private final Set<String> printed = ConcurrentHashMap.newKeySet();
    private final boolean discard;
    private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();

    private TraceViewer(boolean discard) {
        this.discard = discard;
    }

    public static void main(String[] args) throws IOException {
        List<String> arguments = new ArrayList<>(List.of(args));
        boolean discard = arguments.remove("--discard");
        int port = arguments.isEmpty() ? 4318 : Integer.parseInt(arguments.get(0));
        TraceViewer viewer = new TraceViewer(discard);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", viewer::handle);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        System.out.println("TraceViewer listening on http://127.0.0.1:" + server.getAddress().getPort()
                + " (OTLP/HTTP protobuf at /v1/traces)");
        Executors.newSingleThreadScheduledExecutor().scheduleWithFixedDelay(viewer::printQuietTraces, 1, 1,
                TimeUnit.SECONDS);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("POST") && path.endsWith("/v1/traces")) {
                byte[] body = read(exchange);
                requests.incrementAndGet();
                if (!discard) {
                    received(new Proto(body, 0, body.length));
                }
                answer(exchange, 200, "application/x-protobuf", new byte[0]);
            } else if (exchange.getRequestMethod().equals("POST")) {
                answer(exchange, 200, "application/x-protobuf", new byte[0]); // metrics, logs: not kept
            } else if (path.equals("/traces.json")) {
                answer(exchange, 200, "application/json", json().getBytes(StandardCharsets.UTF_8));
            } else if (path.startsWith("/notifications/")) {
                List<Span> spans = spansOfNotification(path.substring("/notifications/".length()));
                answer(exchange, spans.isEmpty() ? 404 : 200, "text/plain; charset=utf-8",
                        (spans.isEmpty() ? "no trace of this notification (yet, or no longer)\n" : tree(spans))
                                .getBytes(StandardCharsets.UTF_8));
            } else if (path.startsWith("/traces/")) {
                List<Span> spans = spans(path.substring("/traces/".length()));
                answer(exchange, spans.isEmpty() ? 404 : 200, "text/plain; charset=utf-8",
                        (spans.isEmpty() ? "no such trace\n" : tree(spans)).getBytes(StandardCharsets.UTF_8));
            } else {
                answer(exchange, 200, "text/plain; charset=utf-8", latest(20).getBytes(StandardCharsets.UTF_8));
            }
        } catch (RuntimeException e) {
            System.out.println("could not read a request to " + exchange.getRequestURI() + ": " + e + " "
                    + exchange.getRequestHeaders().entrySet());
            answer(exchange, 400, "text/plain", String.valueOf(e).getBytes(StandardCharsets.UTF_8));
        }
    }

    private static byte[] read(HttpExchange exchange) throws IOException {
        InputStream in = exchange.getRequestBody();
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            in = new GZIPInputStream(new ByteArrayInputStream(in.readAllBytes()));
        }
        return in.readAllBytes();
    }

    private static void answer(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    // ---- OTLP: ExportTraceServiceRequest → ResourceSpans → ScopeSpans → Span ---------------------------------------

    private void received(Proto request) {
        while (request.more()) {
            int tag = request.tag();
            if (tag == field(1, 2)) {
                resourceSpans(request.message());
            } else {
                request.skip(tag);
            }
        }
    }

    private void resourceSpans(Proto p) {
        String service = "?";
        List<Proto> scopes = new ArrayList<>();
        while (p.more()) {
            int tag = p.tag();
            if (tag == field(1, 2)) {
                Object name = attributes(p.message(), 1).get("service.name");
                service = name == null ? service : name.toString();
            } else if (tag == field(2, 2)) {
                scopes.add(p.message());
            } else {
                p.skip(tag);
            }
        }
        for (Proto scope : scopes) {
            while (scope.more()) {
                int tag = scope.tag();
                if (tag == field(2, 2)) {
                    keep(span(scope.message(), service));
                } else {
                    scope.skip(tag);
                }
            }
        }
    }

    private static Span span(Proto p, String service) {
        String traceId = "";
        String spanId = "";
        String parentId = "";
        String name = "";
        int kind = 0;
        long start = 0;
        long end = 0;
        Map<String, Object> attributes = new LinkedHashMap<>();
        List<String> events = new ArrayList<>();
        int status = 0;
        String statusMessage = "";
        while (p.more()) {
            int tag = p.tag();
            switch (tag >>> 3) {
                case 1 -> traceId = HexFormat.of().formatHex(p.bytes());
                case 2 -> spanId = HexFormat.of().formatHex(p.bytes());
                case 4 -> parentId = HexFormat.of().formatHex(p.bytes());
                case 5 -> name = p.string();
                case 6 -> kind = (int) p.varint();
                case 7 -> start = p.fixed64();
                case 8 -> end = p.fixed64();
                case 9 -> attributes.putAll(keyValue(p.message()));
                case 11 -> events.add(eventName(p.message()));
                case 15 -> {
                    Proto s = p.message();
                    while (s.more()) {
                        int t = s.tag();
                        if (t == field(2, 2)) {
                            statusMessage = s.string();
                        } else if (t == field(3, 0)) {
                            status = (int) s.varint();
                        } else {
                            s.skip(t);
                        }
                    }
                }
                default -> p.skip(tag);
            }
        }
        return new Span(traceId, spanId, parentId, name, kind, service, start, end, attributes, events, status,
                statusMessage);
    }

    private static String eventName(Proto p) {
        String name = "";
        while (p.more()) {
            int tag = p.tag();
            if (tag == field(2, 2)) {
                name = p.string();
            } else {
                p.skip(tag);
            }
        }
        return name;
    }

    /** The KeyValues in field {@code number} of a message. */
    private static Map<String, Object> attributes(Proto p, int number) {
        Map<String, Object> out = new LinkedHashMap<>();
        while (p.more()) {
            int tag = p.tag();
            if (tag == field(number, 2)) {
                out.putAll(keyValue(p.message()));
            } else {
                p.skip(tag);
            }
        }
        return out;
    }

    private static Map<String, Object> keyValue(Proto p) {
        String key = "";
        Object value = null;
        while (p.more()) {
            int tag = p.tag();
            if (tag == field(1, 2)) {
                key = p.string();
            } else if (tag == field(2, 2)) {
                value = anyValue(p.message());
            } else {
                p.skip(tag);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(key, value);
        return out;
    }

    private static Object anyValue(Proto p) {
        Object value = null;
        while (p.more()) {
            int tag = p.tag();
            switch (tag) {
                case 10 -> value = p.string();                          // 1: string_value
                case 16 -> value = p.varint() != 0;                     // 2: bool_value
                case 24 -> value = p.varint();                          // 3: int_value
                case 33 -> value = Double.longBitsToDouble(p.fixed64()); // 4: double_value
                default -> p.skip(tag);                                 // arrays, maps, bytes: not shown
            }
        }
        return value;
    }

    private static int field(int number, int wireType) {
        return number << 3 | wireType;
    }

    /** A protobuf message being read (the wire format: varints, fixed 32/64, length-delimited). */
    static final class Proto {
        private final byte[] b;
        private int pos;
        private final int end;

        Proto(byte[] b, int from, int end) {
            this.b = b;
            this.pos = from;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int tag() {
            return (int) varint();
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte x = b[pos++];
                value |= (long) (x & 0x7f) << shift;
                if (x >= 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("malformed varint");
        }

        long fixed64() {
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value |= (long) (b[pos++] & 0xff) << (8 * i);
            }
            return value;
        }

        byte[] bytes() {
            int length = (int) varint();
            if (length < 0 || pos + length > end) {
                throw new IllegalArgumentException("malformed length");
            }
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + length);
            pos += length;
            return out;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        Proto message() {
            int length = (int) varint();
            if (length < 0 || pos + length > end) {
                throw new IllegalArgumentException("malformed length");
            }
            Proto m = new Proto(b, pos, pos + length);
            pos += length;
            return m;
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> {
                    int length = (int) varint(); // read before pos is: `pos += varint()` would add to the old pos
                    pos += length;
                }
                case 5 -> pos += 4;
                default -> throw new IllegalArgumentException("unsupported wire type " + (tag & 7));
            }
        }
    }

    // ---- keeping and showing ---------------------------------------------------------------------------------------

    private synchronized void keep(Span span) {
        traces.computeIfAbsent(span.traceId(), t -> new ArrayList<>()).add(span);
        updated.put(span.traceId(), System.nanoTime());
        printed.remove(span.traceId());
        while (traces.size() > MAX_TRACES) {
            String oldest = traces.keySet().iterator().next();
            traces.remove(oldest);
            updated.remove(oldest);
            printed.remove(oldest);
        }
    }

    private synchronized List<Span> spans(String traceId) {
        return List.copyOf(traces.getOrDefault(traceId, List.of()));
    }

    /** The trace one of whose spans names the notification (the latest such trace). */
    private synchronized List<Span> spansOfNotification(String notificationId) {
        List<Span> found = List.of();
        for (List<Span> trace : traces.values()) {
            if (trace.stream().anyMatch(s -> notificationId.equals(String.valueOf(s.attributes().get("herald.notification.id"))))) {
                found = trace;
            }
        }
        return List.copyOf(found);
    }

    private void printQuietTraces() {
        long now = System.nanoTime();
        for (Map.Entry<String, Long> e : updated.entrySet()) {
            if (now - e.getValue() > TimeUnit.SECONDS.toNanos(2) && printed.add(e.getKey())) {
                System.out.print(tree(spans(e.getKey())));
                System.out.flush();
            }
        }
    }

    private String latest(int count) {
        List<String> ids;
        synchronized (this) {
            ids = new ArrayList<>(traces.keySet());
        }
        StringBuilder out = new StringBuilder(discard ? requests + " export requests received (--discard: spans not kept)\n"
                : ids.isEmpty() ? "no traces yet\n" : "");
        for (int i = ids.size() - 1; i >= Math.max(0, ids.size() - count); i--) {
            out.append(tree(spans(ids.get(i)))).append('\n');
        }
        return out.toString();
    }

    /** A trace as a tree: each span under its parent, by start time; spans whose parent is missing at the top. */
    static String tree(List<Span> spans) {
        if (spans.isEmpty()) {
            return "";
        }
        Map<String, List<Span>> children = new LinkedHashMap<>();
        Set<String> ids = ConcurrentHashMap.newKeySet();
        spans.forEach(s -> ids.add(s.spanId()));
        List<Span> roots = new ArrayList<>();
        for (Span s : spans) {
            if (s.parentId().isEmpty() || !ids.contains(s.parentId())) {
                roots.add(s);
            } else {
                children.computeIfAbsent(s.parentId(), p -> new ArrayList<>()).add(s);
            }
        }
        StringBuilder out = new StringBuilder("trace " + spans.get(0).traceId() + "\n");
        roots.sort(Comparator.comparingLong(Span::start));
        long origin = roots.get(0).start();
        for (Span root : roots) {
            append(out, root, children, 1, origin);
        }
        return out.toString();
    }

    private static void append(StringBuilder out, Span s, Map<String, List<Span>> children, int depth, long origin) {
        out.append("  ".repeat(depth)).append(s.name()).append("  [").append(s.service()).append(", ")
                .append(KINDS[Math.min(s.kind(), KINDS.length - 1)]).append("]  +")
                .append(String.format(Locale.ROOT, "%.1f ms, %.1f ms", (s.start() - origin) / 1_000_000.0, s.millis()));
        s.attributes().forEach((k, v) -> {
            if (k.startsWith("herald.") || k.startsWith("http.") || k.equals("server.address")) {
                out.append("  ").append(k).append('=').append(v);
            }
        });
        if (!s.events().isEmpty()) {
            out.append("  events=").append(s.events());
        }
        if (s.status() == 2) {
            out.append("  ERROR ").append(s.statusMessage());
        }
        out.append('\n');
        List<Span> kids = new ArrayList<>(children.getOrDefault(s.spanId(), List.of()));
        kids.sort(Comparator.comparingLong(Span::start));
        for (Span kid : kids) {
            append(out, kid, children, depth + 1, origin);
        }
    }

    private String json() {
        List<Span> all = new ArrayList<>();
        synchronized (this) {
            traces.values().forEach(all::addAll);
        }
        StringBuilder out = new StringBuilder("[");
        for (Span s : all) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append("{\"trace_id\":").append(quote(s.traceId())).append(",\"span_id\":").append(quote(s.spanId()))
                    .append(",\"parent_span_id\":").append(quote(s.parentId())).append(",\"name\":").append(quote(s.name()))
                    .append(",\"kind\":").append(quote(KINDS[Math.min(s.kind(), KINDS.length - 1)]))
                    .append(",\"service\":").append(quote(s.service())).append(",\"start\":").append(s.start())
                    .append(",\"end\":").append(s.end()).append(",\"status\":").append(s.status())
                    .append(",\"events\":[");
            for (int i = 0; i < s.events().size(); i++) {
                out.append(i > 0 ? "," : "").append(quote(s.events().get(i)));
            }
            out.append("],\"attributes\":{");
            int i = 0;
            for (Map.Entry<String, Object> a : s.attributes().entrySet()) {
                out.append(i++ > 0 ? "," : "").append(quote(a.getKey())).append(':');
                Object v = a.getValue();
                out.append(v instanceof Number || v instanceof Boolean ? String.valueOf(v) : quote(String.valueOf(v)));
            }
            out.append("}}");
        }
        return out.append(']').toString();
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}

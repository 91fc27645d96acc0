package io.herald.e2e;

import io.herald.testsupport.EmbeddedPostgres;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmark, not a test (prints numbers): the console's pages with a delivery log of a million rows (1,000 rooms, a
 * week of history, the last 15 minutes at 100 deliveries/s), 10,000 dead letters and 1,000 parked deliveries,
 * written straight into the dispatcher's tables; each page is fetched through ingest (which calls the dispatcher's
 * and rules-service's APIs), p50/p95 over {@code herald.bench.requests} requests after a warm-up.
 *
 * <pre>./mvnw -B -ntp -pl e2e-tests -am verify -Dtest=ConsoleBenchmark -Dherald.bench=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@EnabledIfSystemProperty(named = "herald.bench", matches = "true")
class ConsoleBenchmark {

    private static final Pattern CSRF = Pattern.compile("herald_console_csrf=([^;]+)");
    private static final Pattern SESSION = Pattern.compile("herald_console=([^;]+)");

    @Test
    void pagesWithAMillionDeliveries() throws Exception {
        int rows = Integer.getInteger("herald.bench.deliveries", 1_000_000);
        int requests = Integer.getInteger("herald.bench.requests", 200);
        try (ConsoleStack stack = ConsoleStack.start()) {
            stack.account("bench-bot", "http://127.0.0.1:9", "bench");
            long fill = System.nanoTime();
            String notification = fill(rows);
            System.out.printf("filled %,d delivery-log rows in %.1f s%n", rows, (System.nanoTime() - fill) / 1e9);

            HttpClient http = HttpClient.newHttpClient();
            String cookie = signIn(http, stack.console());
            Map<String, String> pages = new LinkedHashMap<>();
            pages.put("overview", "/overview");
            pages.put("overview panel (polled)", "/overview/panel");
            pages.put("timeline, every room", "/notifications");
            pages.put("timeline, one room", "/notifications?q=room-17");
            pages.put("timeline, text in 1 row of 1,000 (last 24 h)", "/notifications?text=disk+full");
            pages.put("timeline, text in every row (last 24 h)", "/notifications?text=backup");
            pages.put("one notification", "/notifications/" + notification);
            pages.put("dead letters", "/dead-letters");
            pages.put("dead letters, one room", "/dead-letters?room=room-3");
            pages.put("rooms and accounts", "/rooms");
            pages.put("API keys", "/api-keys");
            System.out.printf("%-26s %8s %8s %8s%n", "page", "p50 ms", "p95 ms", "max ms");
            for (Map.Entry<String, String> page : pages.entrySet()) {
                List<Double> millis = new ArrayList<>();
                for (int i = 0; i < requests + 20; i++) {
                    long start = System.nanoTime();
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.console() + page.getValue()))
                            .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
                    double ms = (System.nanoTime() - start) / 1e6;
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(page.getValue() + " answered " + r.statusCode() + ": " + r.body());
                    }
                    if (i >= 20) { // the first ones warm up
                        millis.add(ms);
                    }
                }
                Collections.sort(millis);
                System.out.printf("%-26s %8.1f %8.1f %8.1f%n", page.getKey(), at(millis, 0.50), at(millis, 0.95),
                        millis.get(millis.size() - 1));
            }
        }
    }

    private static double at(List<Double> sorted, double quantile) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1));
    }

    /** Writes the rows with SQL (as PostgreSQL's superuser); answers a notification id that has a delivery. */
    private static String fill(int rows) throws Exception {
        try (Connection c = DriverManager.getConnection(EmbeddedPostgres.jdbcUrl(), "postgres", "postgres");
                Statement st = c.createStatement()) {
            // a week of history, the newest 90,000 rows in the last 15 minutes (100 per second)
            st.execute("""
                    INSERT INTO dispatcher.delivery_log (delivery_id, notification_id, room_key, destination, tenant,
                        state, attempts, last_status, last_error, matrix_event_id, history, created_at, updated_at,
                        summary)
                    SELECT 'd-' || g, 'n-' || (g / 2), 'room-' || (g % 1000), 'room:bench-bot:!room' || (g % 1000)
                            || ':example.org', 'console',
                        CASE WHEN g % 50 = 0 THEN 'dead' ELSE 'delivered' END, 1,
                        CASE WHEN g % 50 = 0 THEN 403 ELSE 200 END,
                        CASE WHEN g % 50 = 0 THEN 'HTTP 403 M_FORBIDDEN: not in the room' END,
                        CASE WHEN g % 50 = 0 THEN NULL ELSE '$e' || g END,
                        '[{"at":"2026-12-01T10:00:00Z","status":200,"outcome":"delivered"}]',
                        t, t, 'Backup of nas' || (g % 100) || ' finished: '
                            || CASE WHEN g % 1000 = 0 THEN 'disk full' ELSE 'all good' END
                    FROM (SELECT g, CASE WHEN g <= 90000 THEN now() - (g * interval '10 milliseconds')
                                   ELSE now() - interval '15 minutes' - (g * interval '600 milliseconds') END AS t
                          FROM generate_series(1, """ + rows + ") g) s");
            st.execute("""
                    INSERT INTO dispatcher.dead_letter (delivery_id, notification_id, room_key, destination,
                        destination_kind, payload, reason, last_status, attempts, history, dead_at, tenant)
                    SELECT 'dl-' || g, 'n-dl-' || g, 'room-' || (g % 1000), 'room:bench-bot:!room' || (g % 1000)
                            || ':example.org', 'matrix_room', '{}', 'HTTP 403 M_FORBIDDEN: not in the room', 403, 1,
                        '[]', now() - (g * interval '1 second'), 'console'
                    FROM generate_series(1, 10000) g""");
            st.execute("ANALYZE dispatcher.delivery_log");
            st.execute("ANALYZE dispatcher.dead_letter");
            try (ResultSet rs = st.executeQuery("SELECT notification_id FROM dispatcher.delivery_log WHERE"
                    + " delivery_id = 'd-4'")) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static String signIn(HttpClient http, String console) throws Exception {
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(console + "/sign-in")).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher csrf = CSRF.matcher(String.join(";", form.headers().allValues("set-cookie")));
        if (!csrf.find()) {
            throw new IllegalStateException("no CSRF cookie");
        }
        HttpResponse<String> signedIn = http.send(HttpRequest.newBuilder(URI.create(console + "/sign-in"))
                .header("Cookie", "herald_console_csrf=" + csrf.group(1))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + csrf.group(1) + "&token="
                        + URLEncoder.encode(AdminToken.TOKEN, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher session = SESSION.matcher(String.join(";", signedIn.headers().allValues("set-cookie")));
        if (!session.find()) {
            throw new IllegalStateException("sign-in failed: " + signedIn.statusCode());
        }
        return "herald_console=" + session.group(1);
    }
}

package io.herald.dispatcher.queue;

import com.fasterxml.jackson.core.type.TypeReference;
import io.herald.common.Json;
import io.herald.dispatcher.DispatcherConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The running dispatcher instances (table {@code instance}), and what each holds in memory for a room: a room's queue
 * lists the parked deliveries (PostgreSQL, shared) and the deliveries every instance holds in memory in their first
 * seconds (each instance its own partitions'), asked of the others over their API with the caller's credentials.
 *
 * <p>Written by hand rather than with a membership library: the rows are a heartbeat (every 10 s), and the only
 * question is "who else runs, and where".
 */
@ApplicationScoped
class Instances {

    private static final Logger LOG = Logger.getLogger(Instances.class);
    /** How long another instance may take to answer before the queue is answered without it. */
    static final Duration ANSWER = Duration.ofSeconds(2);
    private static final TypeReference<List<DeliveryState>> STATES = new TypeReference<>() {
    };

    /** What the other instances hold in memory for a room, and how many of them did not answer. */
    record Gathered(List<DeliveryState> deliveries, int unanswered) {
    }

    private final String id = UUID.randomUUID().toString();
    private final String url;
    private final DataSource dataSource;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(ANSWER).build();

    Instances(DataSource dataSource, DispatcherConfig config,
            @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String host,
            @ConfigProperty(name = "quarkus.http.port", defaultValue = "8083") int port) {
        this.dataSource = dataSource;
        this.url = config.advertisedUrl().orElseGet(() -> "http://" + reachable(host) + ":" + port);
    }

    /** The address others reach: the one the API listens on, or this host's when it listens on every interface. */
    private static String reachable(String host) {
        if (!host.equals("0.0.0.0") && !host.equals("::")) {
            return host.contains(":") ? "[" + host + "]" : host;
        }
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    void start(@Observes StartupEvent event) {
        refresh();
    }

    @Scheduled(every = "10s", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement st = c.prepareStatement("INSERT INTO dispatcher.instance (instance_id, url, seen_at)"
                    + " VALUES (?, ?, now()) ON CONFLICT (instance_id) DO UPDATE SET url = EXCLUDED.url, seen_at = now()")) {
                st.setString(1, id);
                st.setString(2, url);
                st.executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement(
                    "DELETE FROM dispatcher.instance WHERE seen_at < now() - interval '1 hour'")) {
                st.executeUpdate();
            }
        } catch (SQLException e) {
            LOG.debugf("this instance's row could not be refreshed (tried again in 10 s): %s", e.getMessage());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement("DELETE FROM dispatcher.instance WHERE instance_id = ?")) {
            st.setString(1, id);
            st.executeUpdate();
        } catch (SQLException e) {
            LOG.debugf("this instance's row could not be removed (ignored in 30 s): %s", e.getMessage());
        }
    }

    /** The API addresses of the other instances seen in the last 30 seconds. */
    List<String> others() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT DISTINCT url FROM dispatcher.instance WHERE instance_id <> ? AND url <> ?"
                        + " AND seen_at > now() - interval '30 seconds'")) {
            st.setString(1, id);
            st.setString(2, url);
            List<String> urls = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    urls.add(rs.getString(1));
                }
            }
            return urls;
        }
    }

    /** What the other instances hold in memory for {@code room}, asked of each at once with the caller's credentials. */
    Gathered held(String room, String tenant, String authorization) throws SQLException {
        String path = "/v1/rooms/" + URLEncoder.encode(room, StandardCharsets.UTF_8).replace("+", "%20") + "/queue/held"
                + (tenant == null ? "" : "?tenant=" + URLEncoder.encode(tenant, StandardCharsets.UTF_8));
        List<CompletableFuture<List<DeliveryState>>> answers = new ArrayList<>();
        for (String other : others()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(other + path)).timeout(ANSWER).GET();
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            answers.add(http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(other + " answered " + response.statusCode());
                }
                try {
                    return Json.MAPPER.readValue(response.body(), STATES);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(other + " answered no list: " + e.getMessage(), e);
                }
            }));
        }
        List<DeliveryState> held = new ArrayList<>();
        int unanswered = 0;
        for (CompletableFuture<List<DeliveryState>> answer : answers) {
            try {
                held.addAll(answer.join());
            } catch (RuntimeException e) {
                unanswered++;
                LOG.warnf("room %s's queue: an instance's deliveries in memory could not be read: %s", room,
                        e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
            }
        }
        return new Gathered(held, unanswered);
    }
}

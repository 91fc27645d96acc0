package io.herald.dispatcher.overview;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.herald.dispatcher.hosts.HostCircuit;
import io.herald.dispatcher.hosts.Hosts;
import io.herald.security.Callers;
import io.herald.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code GET /v1/overview}: the operator console's first page in one call: rates of the last minute, the backlog
 * (parked deliveries not yet tried, parked after failed attempts, dead letters) and, per Matrix account (one
 * homeserver each), the last 15 minutes' sends and the circuit state this instance holds. An operator limited to a
 * tenant sees only that tenant's figures.
 */
@Path("/v1/overview")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.OPERATOR)
@Blocking
public class OverviewResource {

    static final Duration RATE_WINDOW = Duration.ofMinutes(1);
    static final Duration HEALTH_WINDOW = Duration.ofMinutes(15);

    public record Overview(@JsonProperty("notifications_per_second") double notificationsPerSecond,
            @JsonProperty("deliveries_per_second") double deliveriesPerSecond, Backlog backlog,
            List<Homeserver> homeservers, Map<String, String> circuits, Instant at) {
    }

    public record Backlog(long pending, long retrying, long dead) {
    }

    /** {@code success_rate}: delivered of settled sends, null without any; {@code circuit}: this instance's view. */
    public record Homeserver(String account, long delivered, long failed,
            @JsonProperty("success_rate") Double successRate, @JsonProperty("last_error") String lastError,
            @JsonProperty("last_error_at") Instant lastErrorAt, String circuit) {
    }

    /**
     * How long a computed overview is served again (per tenant): every open console polls it, and the figures are
     * of the last minute and the last quarter of an hour anyway.
     */
    static final Duration REUSE = Duration.ofSeconds(2);

    private record Computed(Overview overview, long atNanos) {
    }

    private static final java.util.concurrent.ConcurrentMap<String, Computed> RECENT =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final OverviewStore store;
    private final Hosts hosts;
    private final SecurityIdentity caller;

    OverviewResource(OverviewStore store, Hosts hosts, SecurityIdentity caller) {
        this.store = store;
        this.hosts = hosts;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "Rates, backlog and per-homeserver health at a glance (the console's overview)")
    public Overview overview() throws SQLException {
        String tenant = Callers.tenant(caller).orElse(null);
        String key = tenant == null ? "" : "t:" + tenant;
        Computed recent = RECENT.get(key);
        if (recent != null && System.nanoTime() - recent.atNanos() < REUSE.toNanos()) {
            return recent.overview();
        }
        Overview overview = compute(tenant);
        RECENT.put(key, new Computed(overview, System.nanoTime()));
        return overview;
    }

    private Overview compute(String tenant) throws SQLException {
        Instant now = Instant.now();
        OverviewStore.Rates rates = store.rates(now.minus(RATE_WINDOW), tenant);
        OverviewStore.Backlog backlog = store.backlog(tenant);
        Map<String, String> circuits = new TreeMap<>();
        for (HostCircuit circuit : hosts.all()) {
            circuits.put(circuit.host(), circuit.state().name().toLowerCase(java.util.Locale.ROOT));
        }
        List<Homeserver> homeservers = store.accounts(now.minus(HEALTH_WINDOW), tenant).stream()
                .map(a -> new Homeserver(a.account(), a.delivered(), a.failed(),
                        a.delivered() + a.failed() == 0 ? null : (double) a.delivered() / (a.delivered() + a.failed()),
                        a.lastError(), a.lastErrorAt(), circuits.getOrDefault("account:" + a.account(), "closed")))
                .toList();
        double seconds = RATE_WINDOW.toSeconds();
        // Circuits name hosts of every tenant: only a caller of every tenant sees them all.
        return new Overview(rates.notifications() / seconds, rates.delivered() / seconds,
                new Backlog(backlog.pending(), backlog.retrying(), backlog.dead()), homeservers,
                tenant == null ? circuits : Map.of(), now);
    }
}

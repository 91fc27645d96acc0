package io.herald.dispatcher.outbound;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.herald.dispatcher.DispatcherConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The one check of every outbound request (push gateways, homeservers: discovery, login, whoami, join, room sends):
 * the URL must be absolute http(s), its host must resolve, and every address it resolves to must be globally
 * reachable ({@link SpecialAddresses}) or in an allowed network:
 * <ul>
 * <li>{@code herald.dispatcher.outbound.allowed-networks}: for every request;</li>
 * <li>{@code herald.dispatcher.outbound.homeserver-networks}: for homeservers only (an admin chose them), not for
 * pusher URLs (users choose those).</li>
 * </ul>
 * The answer of an allowed URL is a {@link Target}: requests connect to the address checked here, never to what a
 * second lookup might answer. Verdicts are kept for a minute per URL (a name that does not resolve for 10 s), and a
 * kept verdict keeps its address, so a request that skips the lookup still goes where the check was made.
 */
@ApplicationScoped
public class OutboundGuard {

    private static final Logger LOG = Logger.getLogger(OutboundGuard.class);
    private static final Duration KEEP = Duration.ofMinutes(1);
    private static final Duration KEEP_UNRESOLVED = Duration.ofSeconds(10);

    /** Who the request goes to: what may be called differs. */
    public enum Peer {
        PUSH_GATEWAY("the pusher URL"),
        HOMESERVER("the homeserver URL");

        private final String what;

        Peer(String what) {
            this.what = what;
        }
    }

    /** What the check found. {@code reason}s name no address (tenants read them); {@code detail}s do (log, admins). */
    public sealed interface Verdict {
        record Allowed(Target target) implements Verdict {
        }

        /** Never callable as configured: the request is not made. */
        record Refused(String reason, String detail) implements Verdict {
        }

        /** The host name does not resolve (now): the request is not made; it may resolve later. */
        record Unresolved(String reason, String detail) implements Verdict {
        }
    }

    private final HostResolver resolver;
    private final List<Cidr> allowed;
    private final List<Cidr> homeserversAllowed;
    private final Map<Peer, Cache<String, Verdict>> verdicts = new EnumMap<>(Peer.class);

    @Inject
    OutboundGuard(DispatcherConfig config, HostResolver resolver) {
        this(resolver, config.outbound().allowedNetworks(), config.outbound().homeserverNetworks(), KEEP);
    }

    OutboundGuard(HostResolver resolver, Optional<List<String>> allowedNetworks,
            Optional<List<String>> homeserverNetworks, Duration keep) {
        this.resolver = resolver;
        this.allowed = allowedNetworks.orElse(List.of()).stream().map(Cidr::parse).toList();
        this.homeserversAllowed = homeserverNetworks.orElse(List.of()).stream().map(Cidr::parse).toList();
        for (Peer peer : Peer.values()) {
            verdicts.put(peer, Caffeine.newBuilder().maximumSize(10_000).expireAfter(expiry(keep)).build());
        }
    }

    /** The verdict on {@code url}: kept, else checked on a worker thread (DNS blocks). Never fails. */
    public Uni<Verdict> verdict(Peer peer, String url) {
        Verdict kept = verdicts.get(peer).getIfPresent(url);
        if (kept != null) {
            return Uni.createFrom().item(kept);
        }
        return Uni.createFrom().item(() -> check(peer, url)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The verdict on {@code url}, kept or checked now. Blocking on a miss (DNS): call from a worker thread. */
    public Verdict check(Peer peer, String url) {
        Cache<String, Verdict> kept = verdicts.get(peer);
        Verdict verdict = kept.getIfPresent(url);
        if (verdict != null) {
            return verdict;
        }
        // not computed inside the cache: a slow lookup must not block other URLs (concurrent misses just look up twice)
        verdict = evaluate(peer, url);
        if (verdict instanceof Verdict.Refused refused) {
            LOG.warn(refused.detail());
        } else if (verdict instanceof Verdict.Unresolved unresolved) {
            LOG.warn(unresolved.detail());
        }
        kept.put(url, verdict);
        return verdict;
    }

    private Verdict evaluate(Peer peer, String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
            String reason = peer.what + " is not an absolute http(s) URL";
            return new Verdict.Refused(reason, reason + ": " + url);
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException | RuntimeException e) {
            addresses = List.of();
        }
        if (addresses.isEmpty()) {
            return new Verdict.Unresolved(peer.what + "'s host name does not resolve",
                    peer.what + " " + url + ": its host " + host + " does not resolve");
        }
        for (InetAddress address : addresses) {
            String special = SpecialAddresses.describe(address);
            if (special != null && !allowed(peer, address)) {
                return new Verdict.Refused(peer.what + " is refused: its host resolves to an address Herald may not call",
                        peer.what + " " + url + " is refused: its host " + host + " resolves to "
                                + address.getHostAddress() + " (" + special + "), which " + settings(peer)
                                + " does not allow");
            }
        }
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        return new Verdict.Allowed(Target.of(url, host, port, addresses.get(0)));
    }

    private boolean allowed(Peer peer, InetAddress address) {
        return allowed.stream().anyMatch(c -> c.contains(address))
                || peer == Peer.HOMESERVER && homeserversAllowed.stream().anyMatch(c -> c.contains(address));
    }

    private static String settings(Peer peer) {
        return peer == Peer.HOMESERVER
                ? "herald.dispatcher.outbound.allowed-networks (or homeserver-networks)"
                : "herald.dispatcher.outbound.allowed-networks";
    }

    private static Expiry<String, Verdict> expiry(Duration keep) {
        return new Expiry<>() {
            @Override
            public long expireAfterCreate(String url, Verdict verdict, long now) {
                boolean shorter = verdict instanceof Verdict.Unresolved && KEEP_UNRESOLVED.compareTo(keep) < 0;
                return (shorter ? KEEP_UNRESOLVED : keep).toNanos();
            }

            @Override
            public long expireAfterUpdate(String url, Verdict verdict, long now, long current) {
                return expireAfterCreate(url, verdict, now);
            }

            @Override
            public long expireAfterRead(String url, Verdict verdict, long now, long current) {
                return current;
            }
        };
    }
}

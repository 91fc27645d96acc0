package io.herald.dispatcher.outbound;

import io.herald.dispatcher.DispatcherConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps pusher URLs (which users choose) from making Herald call into its own network: a URL whose host resolves to
 * a loopback, private, link-local, carrier-grade NAT, unique-local, multicast or unspecified address is refused,
 * unless the address falls in {@code herald.dispatcher.outbound.allowed-networks}. Answers are cached per host for
 * a minute. (A DNS answer that changes between this check and the request is not caught: pin gateways by IP range
 * with a network policy where that matters.)
 */
@ApplicationScoped
public class OutboundUrlGuard {

    private static final Duration CACHE_FOR = Duration.ofMinutes(1);

    private final List<Cidr> allowed;
    private final Map<String, Verdict> cache = new ConcurrentHashMap<>();

    @Inject
    OutboundUrlGuard(DispatcherConfig config) {
        this(config.outbound().allowedNetworks());
    }

    OutboundUrlGuard(Optional<List<String>> allowedNetworks) {
        this.allowed = allowedNetworks.orElse(List.of()).stream().map(Cidr::parse).toList();
    }

    /** Null when the URL may be called, else the reason it may not. Blocking on a cache miss (DNS). */
    public String refusal(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return "not a valid URL: " + url;
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
                || uri.getHost() == null) {
            return "only absolute http(s) URLs may be called: " + url;
        }
        String host = uri.getHost();
        Verdict cached = cache.get(host);
        if (cached != null && cached.until().isAfter(Instant.now())) {
            return cached.refusal();
        }
        Verdict verdict = new Verdict(check(host), Instant.now().plus(CACHE_FOR));
        cache.put(host, verdict);
        return verdict.refusal();
    }

    public boolean cachedAllowed(String url) {
        try {
            Verdict v = cache.get(URI.create(url).getHost());
            return v != null && v.refusal() == null && v.until().isAfter(Instant.now());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private String check(String host) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            return null; // unresolvable now: let the request fail (and be retried) like any connection error
        }
        for (InetAddress address : addresses) {
            if (isInternal(address) && allowed.stream().noneMatch(c -> c.contains(address))) {
                return "pusher URL host " + host + " resolves to the internal address " + address.getHostAddress()
                        + ", which herald.dispatcher.outbound.allowed-networks does not allow";
            }
        }
        return null;
    }

    static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64 // 100.64.0.0/10, carrier-grade NAT
                    || (b[0] & 0xff) == 0; // 0.0.0.0/8
        }
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) == 0xfc; // fc00::/7, unique local
        }
        return false;
    }

    private record Verdict(String refusal, Instant until) {
    }

    /** An IPv4 or IPv6 network in CIDR notation. */
    record Cidr(byte[] network, int prefix) {
        static Cidr parse(String cidr) {
            String[] parts = cidr.trim().split("/");
            try {
                byte[] net = InetAddress.getByName(parts[0]).getAddress();
                int prefix = parts.length > 1 ? Integer.parseInt(parts[1]) : net.length * 8;
                return new Cidr(net, prefix);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("not a CIDR network: " + cidr);
            }
        }

        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            return rest == 0 || ((a[full] ^ network[full]) & (0xff << (8 - rest)) & 0xff) == 0;
        }
    }
}

package io.herald.dispatcher.hosts;

import io.herald.common.Delivery;
import io.herald.dispatcher.DispatcherConfig;
import io.herald.dispatcher.account.AccountDirectory;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code host} label of the per-host metrics: the homeserver's host name for room deliveries (of the account's
 * homeserver URL), the gateway's for pushes. Bounded: at most {@code herald.dispatcher.metrics.max-hosts} distinct
 * values, then {@code other} (users choose pusher URLs); {@code unknown} for an account whose homeserver is not known
 * here yet. Never a room, never a path.
 */
@ApplicationScoped
public class HostLabels {

    public static final String OTHER = "other";
    public static final String UNKNOWN = "unknown";

    private final AccountDirectory accounts;
    private final int max;
    private final Map<String, String> byAccount = new ConcurrentHashMap<>();
    // homeserver URL -> host: accounts are few, and parsing a URI for every delivery showed in the profile
    private final Map<String, String> urlHosts = new ConcurrentHashMap<>();
    private final Set<String> admitted = ConcurrentHashMap.newKeySet();

    HostLabels(AccountDirectory accounts, DispatcherConfig config) {
        this.accounts = accounts;
        this.max = config.metrics().maxHosts();
    }

    public String of(Delivery delivery) {
        return delivery.destination().matrixRoom() != null ? ofAccount(delivery.destination().matrixRoom().account())
                : ofUrl(delivery.destination().pusher().url());
    }

    /** For a circuit's key ({@link Hosts#keyOf}: {@code account:<id>} or {@code gateway:<host>:<port>}). */
    public String ofCircuit(String key) {
        if (key.startsWith("account:")) {
            return ofAccount(key.substring("account:".length()));
        }
        String hostAndPort = key.substring(key.indexOf(':') + 1);
        int colon = hostAndPort.lastIndexOf(':');
        return bounded(colon < 0 ? hostAndPort : hostAndPort.substring(0, colon));
    }

    /**
     * For a destination key ({@code room:<account>:<room id>} or {@code push:<app id>:<pushkey>@<gateway URL>}),
     * as parked deliveries are stored.
     */
    public String ofDestination(String key) {
        if (key.startsWith("room:")) {
            int colon = key.indexOf(':', "room:".length());
            return ofAccount(colon < 0 ? key.substring("room:".length()) : key.substring("room:".length(), colon));
        }
        int url = Math.max(key.lastIndexOf("@https://"), key.lastIndexOf("@http://"));
        return url < 0 ? UNKNOWN : ofUrl(key.substring(url + 1));
    }

    private String ofAccount(String account) {
        String url = accounts.cachedHomeserver(account).orElse(null);
        String host = url == null ? null : urlHosts.get(url);
        if (host == null && url != null) {
            host = host(url);
            if (host != null && urlHosts.size() < 10_000) {
                urlHosts.put(url, host);
            }
        }
        if (host != null) {
            String label = bounded(host);
            if (!label.equals(byAccount.get(account))) {
                byAccount.put(account, label);
            }
            return label;
        }
        return byAccount.getOrDefault(account, UNKNOWN);
    }

    private String ofUrl(String url) {
        String host = host(url);
        return host == null ? UNKNOWN : bounded(host);
    }

    private static String host(String url) {
        try {
            String host = URI.create(url).getHost();
            return host == null ? null : host.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private String bounded(String host) {
        if (admitted.contains(host)) {
            return host;
        }
        synchronized (admitted) {
            if (admitted.size() < max) {
                admitted.add(host);
                return host;
            }
        }
        return admitted.contains(host) ? host : OTHER;
    }
}

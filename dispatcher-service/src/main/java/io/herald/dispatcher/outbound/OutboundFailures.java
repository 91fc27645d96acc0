package io.herald.dispatcher.outbound;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.herald.dispatcher.http.SafeText;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.jboss.logging.Logger;

/**
 * Requests that got no answer (refused or reset connection, timeout, TLS failure), told twice: a reason that names no
 * address, for what tenants and operators read (the delivery log, dead letters), and the details (addresses, the
 * exception's text) in the log at WARN, at most once per destination every 10 seconds, so a dead homeserver does not
 * flood it.
 */
@ApplicationScoped
public class OutboundFailures {

    private static final Logger LOG = Logger.getLogger(OutboundFailures.class);
    private static final Duration QUIET = Duration.ofSeconds(10);

    /** Destinations whose failure was logged less than {@link #QUIET} ago. */
    private final Cache<String, Boolean> logged = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(QUIET)
            .build();

    /** The reason to keep for a request to {@code destination} (a {@link Target}'s text) that failed with {@code e}. */
    public String reason(String destination, Throwable e) {
        if (logged.asMap().putIfAbsent(destination, Boolean.TRUE) == null) {
            LOG.warnf("request to %s failed: %s (more failures of it within %d s are not logged)", destination,
                    SafeText.describe(e), QUIET.toSeconds());
        }
        return publicReason(e);
    }

    /** What went wrong, in words that name no address or host: timed out, unreachable, TLS failure, ... */
    public static String publicReason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException || t.getClass().getName().startsWith("io.netty.handler.ssl.")) {
                return "TLS failure (the peer's certificate or TLS setup was not accepted)";
            }
            if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
                return "timed out";
            }
            if (t instanceof NoRouteToHostException) {
                return "unreachable (no route to the host)";
            }
            if (t instanceof ConnectException) {
                String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
                return message.contains("refused") ? "unreachable (connection refused)" : "unreachable";
            }
            if (t instanceof ClosedChannelException
                    || t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("closed")) {
                return "the connection closed before an answer";
            }
        }
        return "the request failed (" + e.getClass().getSimpleName() + ")";
    }
}

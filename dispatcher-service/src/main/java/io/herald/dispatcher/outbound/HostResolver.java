package io.herald.dispatcher.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name (or an IP literal) into its addresses: the one DNS lookup of an outbound request, whose answer the
 * {@link OutboundGuard} checks and the request then connects to. The default is the JDK's resolver
 * ({@link JdkHostResolver}); tests replace it to play a name that answers differently each time.
 */
public interface HostResolver {

    /** Every address of {@code host}; never empty. */
    List<InetAddress> resolve(String host) throws UnknownHostException;
}

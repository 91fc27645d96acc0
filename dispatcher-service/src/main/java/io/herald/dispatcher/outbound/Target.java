package io.herald.dispatcher.outbound;

import io.vertx.core.http.HttpMethod;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.net.SocketAddress;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.net.InetAddress;

/**
 * A URL the {@link OutboundGuard} let through, with the address it checked. Requests made from it connect to that
 * address (no second DNS lookup that a rebinding name could answer differently) and keep the URL's host name for the
 * {@code Host} header, TLS SNI and the certificate's host name check.
 */
public record Target(String url, String host, InetAddress address, SocketAddress server) {

    static Target of(String url, String host, int port, InetAddress address) {
        return new Target(url, host, address, SocketAddress.inetSocketAddress(port, address.getHostAddress()));
    }

    /** A request to the URL followed by {@code suffix} (a path below it, or "" for the URL itself). */
    public HttpRequest<Buffer> request(WebClient client, HttpMethod method, String suffix) {
        return client.requestAbs(method, server, url + suffix);
    }

    /** For the log and admins: the URL and the address it resolved to. Never shown to tenants (it names an address). */
    @Override
    public String toString() {
        return url + " (" + address.getHostAddress() + ")";
    }
}

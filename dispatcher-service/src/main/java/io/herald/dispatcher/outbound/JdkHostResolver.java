package io.herald.dispatcher.outbound;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** {@link HostResolver} by {@link InetAddress#getAllByName}: the system's resolver and the JDK's cache. Blocking. */
@ApplicationScoped
@DefaultBean
public class JdkHostResolver implements HostResolver {

    @Override
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        return List.of(InetAddress.getAllByName(host));
    }
}

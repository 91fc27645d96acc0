package io.herald.dispatcher.hosts;

import io.herald.common.Delivery;
import io.herald.dispatcher.DispatcherConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The hosts deliveries go to, each with its {@link HostCircuit}. A room delivery's host is its account's homeserver
 * (keyed by account: an account has one homeserver), a push's host is the gateway URL's host and port.
 */
@ApplicationScoped
public class Hosts {

    private final DispatcherConfig config;
    private final ConcurrentMap<String, HostCircuit> circuits = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "herald-circuits");
        t.setDaemon(true);
        return t;
    });

    Hosts(DispatcherConfig config) {
        this.config = config;
    }

    public static String keyOf(Delivery delivery) {
        if (delivery.destination().matrixRoom() != null) {
            return "account:" + delivery.destination().matrixRoom().account();
        }
        try {
            URI url = URI.create(delivery.destination().pusher().url());
            return "gateway:" + url.getHost() + ":" + url.getPort();
        } catch (IllegalArgumentException e) {
            return "gateway:" + delivery.destination().pusher().url();
        }
    }

    public HostCircuit circuit(String host) {
        return circuits.computeIfAbsent(host, h -> new HostCircuit(h, config.circuit().failures(),
                config.circuit().minSpan(), config.circuit().probeInitial(), config.circuit().probeMax(),
                config.requestTimeout().multipliedBy(2), timers));
    }

    public Collection<HostCircuit> all() {
        return circuits.values();
    }

    @PreDestroy
    void stop() {
        timers.shutdownNow();
    }
}

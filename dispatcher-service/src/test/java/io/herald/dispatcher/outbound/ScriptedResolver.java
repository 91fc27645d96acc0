package io.herald.dispatcher.outbound;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS for tests: names given answers play them, one answer per lookup (the last one repeats); a name given none
 * does not resolve; other names go to the JDK. In {@code @QuarkusTest}s it replaces {@link JdkHostResolver}.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class ScriptedResolver implements HostResolver {

    private final Map<String, Deque<List<InetAddress>>> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();

    /** {@code host} answers the first address on its next lookup, the next on the one after, and so on. */
    public ScriptedResolver answer(String host, InetAddress... successive) {
        Deque<List<InetAddress>> script = new ArrayDeque<>();
        Arrays.stream(successive).map(List::of).forEach(script::add);
        answers.put(host, script);
        return this;
    }

    /** {@code host} answers all of {@code addresses} at once, every time. */
    public ScriptedResolver answerAll(String host, List<InetAddress> addresses) {
        answers.put(host, new ArrayDeque<>(List.of(addresses)));
        return this;
    }

    /** {@code host} does not resolve. */
    public ScriptedResolver unknown(String host) {
        answers.put(host, new ArrayDeque<>(List.of(List.of())));
        return this;
    }

    public int lookups(String host) {
        AtomicInteger n = lookups.get(host);
        return n == null ? 0 : n.get();
    }

    @Override
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        lookups.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
        Deque<List<InetAddress>> script = answers.get(host);
        if (script == null) {
            return List.of(InetAddress.getAllByName(host));
        }
        List<InetAddress> answer;
        synchronized (script) {
            answer = script.size() > 1 ? script.poll() : script.peek();
        }
        if (answer.isEmpty()) {
            throw new UnknownHostException(host + ": Name or service not known");
        }
        return answer;
    }

    /** An address from its literal (no lookup). */
    public static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}

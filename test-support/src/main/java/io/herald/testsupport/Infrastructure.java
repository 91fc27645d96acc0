package io.herald.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Decides once per JVM where tests get Kafka and PostgreSQL from: Dev Services (Testcontainers) when a Docker
 * engine answers, embedded (an in-JVM KRaft broker and PostgreSQL binaries) when none does. Force a mode with
 * {@code -Dherald.test.infra=embedded|containers|auto} (or the {@code HERALD_TEST_INFRA} environment variable).
 */
public final class Infrastructure {

    public enum Mode {
        EMBEDDED, CONTAINERS
    }

    private static volatile Mode mode;

    private Infrastructure() {
    }

    public static Mode mode() {
        if (mode == null) {
            synchronized (Infrastructure.class) {
                if (mode == null) {
                    mode = decide();
                }
            }
        }
        return mode;
    }

    public static boolean embedded() {
        return mode() == Mode.EMBEDDED;
    }

    private static Mode decide() {
        String forced = System.getProperty("herald.test.infra", System.getenv().getOrDefault("HERALD_TEST_INFRA", "auto"));
        return switch (forced.toLowerCase(Locale.ROOT)) {
            case "embedded" -> Mode.EMBEDDED;
            case "containers" -> Mode.CONTAINERS;
            default -> dockerAnswers() ? Mode.CONTAINERS : Mode.EMBEDDED;
        };
    }

    /** Sends {@code GET /_ping} to the Docker engine: a socket file alone does not mean an engine runs. */
    static boolean dockerAnswers() {
        String host = System.getenv("DOCKER_HOST");
        try {
            if (host == null || host.startsWith("unix://")) {
                Path socket = Path.of(host == null ? "/var/run/docker.sock" : host.substring("unix://".length()));
                if (!Files.exists(socket)) {
                    return false;
                }
                try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                    return ping(channel);
                }
            }
            if (host.startsWith("tcp://")) {
                URI uri = URI.create(host);
                try (SocketChannel channel = SocketChannel.open()) {
                    channel.socket().connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
                    return ping(channel);
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    private static boolean ping(SocketChannel channel) throws IOException {
        channel.socket().setSoTimeout(2000);
        channel.write(ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer answer = ByteBuffer.allocate(64);
        channel.read(answer);
        return new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII).startsWith("HTTP/1.");
    }
}

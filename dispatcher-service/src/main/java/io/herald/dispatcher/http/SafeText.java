package io.herald.dispatcher.http;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Texts from peers and failures, made safe to store and log: control characters (NUL included) become spaces, lone
 * surrogates a replacement character, and at most {@value #MAX} characters are kept. A NUL in a homeserver's error
 * message must not make PostgreSQL refuse the row that records it.
 */
public final class SafeText {

    /** Longest text kept from a peer's answer. */
    public static final int MAX = 1000;

    private SafeText() {
    }

    public static String of(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX));
        for (int i = 0; i < s.length() && out.length() < MAX; i++) {
            char c = s.charAt(i);
            boolean loneHigh = Character.isHighSurrogate(c) && (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1)));
            boolean loneLow = Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
            out.append(loneHigh || loneLow ? '\uFFFD' : Character.isISOControl(c) ? ' ' : c);
        }
        if (out.length() == MAX && Character.isHighSurrogate(out.charAt(MAX - 1))) {
            out.setLength(MAX - 1);
        }
        return out.toString();
    }

    /** What went wrong with a request that got no answer, in words an operator can act on. */
    public static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException || t.getClass().getName().startsWith("io.netty.handler.ssl.")) {
                return of("TLS failure (" + deepestMessage(t) + ")");
            }
            if (t instanceof UnknownHostException) {
                return of("unknown host " + t.getMessage());
            }
            if (t instanceof ConnectException) {
                return of("unreachable (" + t.getMessage() + ")");
            }
            if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
                return "timed out";
            }
        }
        return of(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    /** The message of the innermost cause that has one ("Failed to create SSL connection" says less than its cause). */
    private static String deepestMessage(Throwable e) {
        String message = e.getMessage();
        for (Throwable t = e.getCause(); t != null && t != e; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message;
    }
}

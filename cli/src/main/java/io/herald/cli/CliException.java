package io.herald.cli;

/** Ends a command with a message on stderr and an exit code scripts can rely on. */
public class CliException extends RuntimeException {

    public static final int OK = 0;
    /** Wrong usage: unknown command or option, missing argument or credential. */
    public static final int USAGE = 1;
    /** The server refused the request (4xx). */
    public static final int CLIENT_ERROR = 2;
    /** The server could not be reached, or failed (5xx). */
    public static final int SERVER_ERROR = 3;
    /** {@code --wait}: the notification ended without being delivered (dead or purged). */
    public static final int NOT_DELIVERED = 4;
    /** {@code --wait}: still pending or retrying when the wait ran out. */
    public static final int STILL_WAITING = 5;

    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}

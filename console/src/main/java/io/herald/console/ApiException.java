package io.herald.console;

/** A service's API refused a call, or could not be reached (status 502): shown to the person as it is. */
public class ApiException extends RuntimeException {

    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}

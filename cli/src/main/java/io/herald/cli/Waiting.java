package io.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Option;

/**
 * {@code --wait}: block until the notification is delivered or cannot be (dead, purged), asking its status every
 * second. Exit code 0 when delivered, 4 when it ended otherwise, 5 when it was still waiting after {@code --timeout}.
 */
class Waiting {

    @Option(names = "--wait", description = "wait until delivered; exit 0 delivered, 4 dead or purged, 5 still waiting")
    boolean wait;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "how long --wait waits (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    /** Polls the status until it is final; prints it and ends with the matching exit code. */
    void await(Base command, String ingestUrl, String apiKey, String id) {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        JsonNode status;
        while (true) {
            status = Api.call("GET", ingestUrl + "/v1/notifications/" + Api.seg(id), null, apiKey);
            if (finished(status) || System.nanoTime() - deadline > 0) {
                break;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(CliException.SERVER_ERROR, "interrupted");
            }
        }
        StatusCommand.show(command, status);
        String state = status.path("state").asText();
        if (!finished(status)) {
            throw new CliException(CliException.STILL_WAITING, id + " is still " + state + " after " + timeoutSeconds + " s");
        }
        if (!"delivered".equals(state)) {
            throw new CliException(CliException.NOT_DELIVERED, id + " was not delivered: " + state);
        }
    }

    static boolean finished(JsonNode status) {
        String state = status.path("state").asText();
        return !status.path("deliveries").isEmpty() && !"pending".equals(state) && !"retrying".equals(state);
    }
}

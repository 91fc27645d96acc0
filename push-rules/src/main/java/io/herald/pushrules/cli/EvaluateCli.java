package io.herald.pushrules.cli;

import io.herald.pushrules.JsonEvaluator;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * Evaluates push rules over JSON Lines: one request per stdin line, one response line on stdout per request
 * (blank lines are skipped). See {@link JsonEvaluator} for both shapes. A malformed line yields
 * {@code {"error": "..."}} and the run goes on; the exit status is 0 unless stdin/stdout fail.
 *
 * <pre>java -jar push-rules/target/herald-push-rules-cli.jar &lt; requests.jsonl</pre>
 */
public final class EvaluateCli {

    private static final String USAGE = String.join(System.lineSeparator(),
            "usage: java -jar herald-push-rules-cli.jar < requests.jsonl",
            "",
            "Reads JSON Lines on stdin, writes one JSON line per input line on stdout.",
            "input:  {\"event\": {...}, \"user_id\": \"@u:hs\", \"display_name\": \"...\"|null,",
            "         \"room_member_count\": N, \"power_levels\": {...}|null, \"ruleset\": {...}|null,",
            "         \"defaults\": \"spec\"|\"legacy\"}",
            "output: {\"actions\": [...], \"tweaks\": {...}, \"rule_id\": \"...\"|null, \"kind\": \"...\"|null}",
            "        or {\"error\": \"...\"} for a malformed line (the run goes on)");

    private EvaluateCli() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 0) {
            boolean help = args[0].equals("-h") || args[0].equals("--help");
            (help ? System.out : System.err).println(USAGE);
            if (!help) {
                System.exit(2);
            }
            return;
        }
        run(System.in, System.out, JsonEvaluator.shared());
    }

    /** Processes every line of {@code in}; returns the number of responses written. */
    public static long run(InputStream in, OutputStream out, JsonEvaluator evaluator) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        long n = 0;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            writer.write(evaluator.evaluateLine(line));
            writer.write('\n');
            n++;
            if (!reader.ready()) {
                writer.flush(); // interactive or piped one line at a time: answer now
            }
        }
        writer.flush();
        return n;
    }
}

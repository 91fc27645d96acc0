package io.herald.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** What a command may touch of the outside world: environment, home directory, standard streams, the terminal. */
public final class Context {

    final Map<String, String> env;
    final Path home;
    final InputStream stdin;
    final PrintWriter out;
    final PrintWriter err;
    final Console console;

    public Context(Map<String, String> env, Path home, InputStream stdin, PrintWriter out, PrintWriter err,
            Console console) {
        this.env = env;
        this.home = home;
        this.stdin = stdin;
        this.out = out;
        this.err = err;
        this.console = console;
    }

    static Context system() {
        return new Context(System.getenv(), Path.of(System.getProperty("user.home")), System.in,
                new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8), interactiveConsole());
    }

    /** The console only when stdin really is a terminal (from JDK 22 System.console() also exists when redirected). */
    private static Console interactiveConsole() {
        Console console = System.console();
        if (console == null) {
            return null;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console) ? console : null;
        } catch (ReflectiveOperationException e) {
            return console;
        }
    }

    /** A secret from the terminal (not echoed) or, when stdin is piped, its first line. Never from argv. */
    String readSecret(String prompt) {
        if (console != null) {
            char[] secret = console.readPassword("%s", prompt);
            if (secret == null) {
                throw new CliException(CliException.USAGE, "no password given");
            }
            return new String(secret);
        }
        try {
            String line = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) {
                throw new CliException(CliException.USAGE, "no password on stdin (pipe it in, or run in a terminal to be asked)");
            }
            return line;
        } catch (IOException e) {
            throw new CliException(CliException.USAGE, "cannot read the password from stdin: " + e.getMessage());
        }
    }
}

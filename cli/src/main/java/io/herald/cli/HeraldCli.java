package io.herald.cli;

import java.io.PrintWriter;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code herald}: the command line of Herald's three services. Exit codes: 0 ok, 1 usage, 2 the server refused the
 * request (4xx), 3 the server is unreachable or failed (5xx).
 */
@Command(name = "herald", mixinStandardHelpOptions = true, versionProvider = HeraldCli.Version.class,
        description = "Herald, the Matrix notification router, from the command line.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {MatrixCommands.class, RoomsCommands.class, SendCommand.class, StatusCommand.class,
                QueueCommands.class, DlqCommands.class,
                RulesCommands.class, KeysCommands.class, SecretsCommands.class, AutoComplete.GenerateCompletion.class},
        footer = {"",
                "Settings: a flag, else the environment (HERALD_INGEST_URL, HERALD_RULES_URL,",
                "HERALD_DISPATCHER_URL, HERALD_API_KEY, HERALD_ADMIN_TOKEN), else",
                "~/.config/herald/config (key=value: ingest_url, rules_url, dispatcher_url,",
                "api_key, admin_token), else http://127.0.0.1:8081, :8082, :8083.",
                "Exit codes: 0 ok, 1 usage, 2 the server refused (4xx), 3 unreachable or 5xx.",
                "Bash completion: source <(herald generate-completion)"})
public class HeraldCli implements Runnable {

    final Context context;

    @Spec
    CommandSpec spec;

    HeraldCli(Context context) {
        this.context = context;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(run(Context.system(), args));
    }

    /** Runs one command line; the exit code. */
    public static int run(Context context, String... args) {
        CommandLine cli = commandLine(context);
        return cli.execute(args);
    }

    static CommandLine commandLine(Context context) {
        CommandLine cli = new CommandLine(new HeraldCli(context));
        cli.setOut(context.out);
        cli.setErr(context.err);
        cli.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
        cli.setParameterExceptionHandler((ParameterException e, String[] args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("herald: " + e.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
                err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            }
            err.flush();
            return CliException.USAGE;
        });
        cli.setExecutionExceptionHandler((Exception e, CommandLine c, CommandLine.ParseResult parsed) -> {
            PrintWriter err = c.getErr();
            if (e instanceof CliException cliException) {
                err.println("herald: " + cliException.getMessage());
                err.flush();
                return cliException.exitCode();
            }
            err.println("herald: " + e);
            err.flush();
            return CliException.USAGE;
        });
        return cli;
    }

    /** The version from the jar's manifest. */
    static class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = HeraldCli.class.getPackage().getImplementationVersion();
            return new String[] {"herald " + (version == null ? "0.1.0-SNAPSHOT" : version)};
        }
    }

    /** A command that only groups subcommands: run alone, it is a usage error. */
    abstract static class Group implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            throw new ParameterException(spec.commandLine(), "a subcommand is required: "
                    + String.join(", ", spec.subcommands().keySet()));
        }
    }
}

package io.herald.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Options every command takes: where the services are, credentials, output format. Each setting comes from the
 * flag, else the environment variable, else the config file ({@code ~/.config/herald/config}, {@code key=value}
 * lines), else the default.
 */
public class Common {

    @Option(names = "--ingest-url", paramLabel = "URL", description = "ingest-service (env HERALD_INGEST_URL, default http://127.0.0.1:8081)")
    String ingestUrl;

    @Option(names = "--rules-url", paramLabel = "URL", description = "rules-service (env HERALD_RULES_URL, default http://127.0.0.1:8082)")
    String rulesUrl;

    @Option(names = "--dispatcher-url", paramLabel = "URL", description = "dispatcher-service (env HERALD_DISPATCHER_URL, default http://127.0.0.1:8083)")
    String dispatcherUrl;

    @Option(names = "--api-key", paramLabel = "KEY", description = "ingest API key hrld_… for send (env HERALD_API_KEY)")
    String apiKey;

    @Option(names = "--token", paramLabel = "TOKEN", description = "service token (hrldt_…) or OIDC access token for"
            + " the three services (env HERALD_TOKEN)")
    String token;

    /** Deprecated alias of --token (HERALD_ADMIN_TOKEN, admin_token), from when only ingest's admin API took a token. */
    @Option(names = "--admin-token", paramLabel = "TOKEN", hidden = true)
    String adminToken;

    @Option(names = "--config", paramLabel = "FILE", description = "config file (env HERALD_CONFIG, default ~/.config/herald/config)")
    Path config;

    @Option(names = "--json", description = "print the server's JSON instead of a table")
    boolean json;

    private Map<String, String> file;

    String ingestUrl(Context ctx) {
        return url(resolve(ctx, ingestUrl, "HERALD_INGEST_URL", "http://127.0.0.1:8081"));
    }

    String rulesUrl(Context ctx) {
        return url(resolve(ctx, rulesUrl, "HERALD_RULES_URL", "http://127.0.0.1:8082"));
    }

    String dispatcherUrl(Context ctx) {
        return url(resolve(ctx, dispatcherUrl, "HERALD_DISPATCHER_URL", "http://127.0.0.1:8083"));
    }

    String apiKey(Context ctx) {
        return required(resolve(ctx, apiKey, "HERALD_API_KEY", null), "an API key: --api-key, HERALD_API_KEY or api_key in the config file");
    }

    /**
     * The token for every call but {@code send}: {@code --token}, else {@code HERALD_TOKEN}, else {@code token=} in
     * the config file; the deprecated {@code --admin-token}, {@code HERALD_ADMIN_TOKEN}, {@code admin_token=} are
     * read at each level after it.
     */
    String token(Context ctx) {
        String value = token != null ? token : adminToken;
        for (String env : new String[] {"HERALD_TOKEN", "HERALD_ADMIN_TOKEN"}) {
            String fromEnv = ctx.env.get(env);
            if (value == null && fromEnv != null && !fromEnv.isBlank()) {
                value = fromEnv;
            }
        }
        for (String key : new String[] {"token", "admin_token"}) {
            if (value == null) {
                value = file(ctx).get(key);
            }
        }
        return required(value, "a token: --token, HERALD_TOKEN or token= in the config file");
    }

    private static String required(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new CliException(CliException.USAGE, "this command needs " + what);
        }
        return value;
    }

    private static String url(String url) {
        return url.replaceAll("/+$", "");
    }

    /** Flag, else environment, else config file (key {@code ingest_url} or {@code HERALD_INGEST_URL}), else default. */
    String resolve(Context ctx, String flag, String envName, String fallback) {
        if (flag != null) {
            return flag;
        }
        String env = ctx.env.get(envName);
        if (env != null && !env.isBlank()) {
            return env;
        }
        String fromFile = file(ctx).get(key(envName));
        return fromFile != null ? fromFile : fallback;
    }

    /** A config file named with --config must exist, whether or not a setting is read from it. */
    void check() {
        if (config != null && !Files.isRegularFile(config)) {
            throw new CliException(CliException.USAGE, "config file " + config + " not found");
        }
    }

    private Map<String, String> file(Context ctx) {
        if (file != null) {
            return file;
        }
        Path path = config != null ? config
                : ctx.env.get("HERALD_CONFIG") != null ? Path.of(ctx.env.get("HERALD_CONFIG"))
                : ctx.home.resolve(".config/herald/config");
        file = new HashMap<>();
        if (!Files.isRegularFile(path)) {
            if (config != null) {
                throw new CliException(CliException.USAGE, "config file " + path + " not found");
            }
            return file;
        }
        try {
            for (String line : Files.readAllLines(path)) {
                String trimmed = line.trim();
                int eq = trimmed.indexOf('=');
                if (trimmed.isEmpty() || trimmed.startsWith("#") || eq < 1) {
                    continue;
                }
                String value = trimmed.substring(eq + 1).trim();
                if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                        || value.startsWith("'") && value.endsWith("'"))) {
                    value = value.substring(1, value.length() - 1);
                }
                file.put(key(trimmed.substring(0, eq).trim()), value);
            }
        } catch (IOException e) {
            throw new CliException(CliException.USAGE, "cannot read config file " + path + ": " + e.getMessage());
        }
        return file;
    }

    /** {@code HERALD_INGEST_URL}, {@code ingest_url}, {@code ingest-url}, {@code ingest.url} are the same key. */
    static String key(String name) {
        String k = name.toLowerCase(Locale.ROOT).replace('-', '_').replace('.', '_');
        return k.startsWith("herald_") ? k.substring("herald_".length()) : k;
    }
}

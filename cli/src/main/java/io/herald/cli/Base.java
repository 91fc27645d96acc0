package io.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A leaf command: the common options, the context, and the output helpers. */
abstract class Base implements Callable<Integer> {

    @Mixin
    Common common;

    @Spec
    CommandSpec spec;

    Context ctx() {
        return ((HeraldCli) spec.root().userObject()).context;
    }

    @Override
    public Integer call() {
        common.check();
        run();
        return CliException.OK;
    }

    abstract void run();

    /** The JSON as is with {@code --json}, else a table of {@code rows} with the given columns. */
    void print(JsonNode json, JsonNode rows, String... columns) {
        if (common.json) {
            Output.json(ctx().out, json);
        } else {
            Output.table(ctx().out, rows, columns);
        }
    }

    /** The JSON as is with {@code --json}, else {@code message} (a line for people). */
    void print(JsonNode json, String message) {
        if (common.json) {
            Output.json(ctx().out, json);
        } else {
            ctx().out.println(message);
        }
    }

    /** A call with the token ({@code --token}, {@code HERALD_TOKEN} or {@code token=}). */
    JsonNode call(String method, String url, Object body) {
        return Api.call(method, url, body, common.token(ctx()));
    }

    JsonNode get(String url) {
        return call("GET", url, null);
    }
}

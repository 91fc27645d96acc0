package io.herald.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Tables for people, JSON for scripts. */
final class Output {

    private Output() {
    }

    static void json(PrintWriter out, JsonNode json) {
        try {
            out.println(Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One row per element of {@code rows} (or {@code rows} itself when it is an object). A column is
     * {@code HEADER=path} where path is a field or a JSON pointer ({@code /rate_limit/per_second}); a plain
     * {@code field} gets the header {@code FIELD}.
     */
    static void table(PrintWriter out, JsonNode rows, String... columns) {
        List<String> headers = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (String column : columns) {
            int eq = column.indexOf('=');
            headers.add(eq < 0 ? column.toUpperCase(java.util.Locale.ROOT) : column.substring(0, eq));
            paths.add(eq < 0 ? column : column.substring(eq + 1));
        }
        List<List<String>> cells = new ArrayList<>();
        cells.add(headers);
        for (JsonNode row : rows.isArray() ? rows : List.of(rows)) {
            List<String> line = new ArrayList<>();
            for (String path : paths) {
                line.add(text(path.startsWith("/") ? row.at(path) : row.path(path)));
            }
            cells.add(line);
        }
        int[] widths = new int[headers.size()];
        for (List<String> line : cells) {
            for (int i = 0; i < line.size(); i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        for (List<String> line : cells) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < line.size(); i++) {
                s.append(i == line.size() - 1 ? line.get(i) : String.format("%-" + widths[i] + "s  ", line.get(i)));
            }
            out.println(s.toString().stripTrailing());
        }
        out.flush();
    }

    static String text(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "-";
        }
        if (node.isArray()) {
            List<String> items = new ArrayList<>();
            node.forEach(n -> items.add(n.isValueNode() ? n.asText() : n.toString()));
            return String.join(",", items);
        }
        return node.isValueNode() ? node.asText() : node.toString();
    }
}

package io.herald.bench.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of the processes under test (Linux {@code /proc/<pid>/stat}: user + system), so that a benchmark can say
 * which process spends how much per notification, which is what limits the pipeline on a machine of two cores.
 */
final class ProcessCpu {

    private static final double TICKS_PER_SECOND = 100; // USER_HZ, 100 on Linux

    private final Map<String, Long> pids = new LinkedHashMap<>();

    /** {@code name=pid,name=pid}; empty or unreadable entries are left out. */
    ProcessCpu(String spec) {
        if (spec == null || spec.isBlank()) {
            return;
        }
        for (String entry : spec.split(",")) {
            String[] kv = entry.split("=", 2);
            if (kv.length == 2 && !kv[1].isBlank()) {
                pids.put(kv[0].trim(), Long.parseLong(kv[1].trim()));
            }
        }
    }

    /** CPU seconds so far, per process name. */
    Map<String, Double> sample() {
        Map<String, Double> out = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            try {
                String stat = Files.readString(Path.of("/proc", pid.toString(), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // after "pid (comm) ": state is field 0, utime field 11, stime field 12
                out.put(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND);
            } catch (IOException | RuntimeException e) {
                out.put(name, Double.NaN);
            }
        });
        return out;
    }

    /** "name 123 µs, ..." of CPU per item between two samples. */
    static String perItem(Map<String, Double> before, Map<String, Double> after, long items) {
        StringBuilder sb = new StringBuilder();
        after.forEach((name, seconds) -> {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(name).append(' ').append(Math.round((seconds - before.get(name)) * 1e6 / Math.max(1, items)))
                    .append(" µs");
        });
        return sb.length() == 0 ? "(no processes given)" : sb.toString();
    }
}

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

    private final Map<String, long[]> pids = new LinkedHashMap<>();

    /**
     * {@code name=pid,name=pid+pid}: several pids joined by {@code +} are summed (PostgreSQL runs a process per
     * connection); empty entries are left out. Besides those, {@code machine} is the busy time of all CPUs
     * ({@code /proc/stat}), so that what no named process used shows too.
     */
    ProcessCpu(String spec) {
        if (spec == null || spec.isBlank()) {
            return;
        }
        for (String entry : spec.split(",")) {
            String[] kv = entry.split("=", 2);
            if (kv.length == 2 && !kv[1].isBlank()) {
                pids.put(kv[0].trim(), java.util.Arrays.stream(kv[1].trim().split("\\+"))
                        .mapToLong(Long::parseLong).toArray());
            }
        }
    }

    /** CPU seconds so far, per process name. */
    Map<String, Double> sample() {
        Map<String, Double> out = new LinkedHashMap<>();
        pids.forEach((name, list) -> {
            double seconds = 0;
            for (long pid : list) {
                try {
                    seconds += cpuSeconds(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
                } catch (IOException | RuntimeException e) {
                    seconds = Double.NaN;
                }
            }
            out.put(name, seconds);
        });
        try {
            // "cpu  user nice system idle iowait irq softirq steal ...": busy = all but idle and iowait
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                busy += i == 4 || i == 5 ? 0 : Long.parseLong(f[i]);
            }
            out.put("machine", busy / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            out.put("machine", Double.NaN);
        }
        out.put("of which JIT compilers", compilerSeconds());
        return out;
    }

    /**
     * CPU seconds so far of the JIT compiler threads ({@code C1/C2 CompilerThread}) of all named processes: while they
     * still work, what is measured is warm-up, not the steady state.
     */
    double compilerSeconds() {
        double seconds = 0;
        for (long[] list : pids.values()) {
            for (long pid : list) {
                try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                    for (Path task : (Iterable<Path>) tasks::iterator) {
                        try {
                            String stat = Files.readString(task.resolve("stat"));
                            String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                            if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
                                seconds += cpuSeconds(stat);
                            }
                        } catch (IOException | RuntimeException e) {
                            // a thread that ended meanwhile
                        }
                    }
                } catch (IOException e) {
                    // a process that ended
                }
            }
        }
        return seconds;
    }

    /** User + system CPU seconds of a {@code /proc/.../stat} line. */
    private static double cpuSeconds(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after "pid (comm) ": state is field 0, utime field 11, stime field 12
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
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

package io.herald.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/** CPU time read from Linux's {@code /proc}, for benchmarks; zero where there is no {@code /proc}. */
final class LinuxCpu {

    private LinuxCpu() {
    }

    /**
     * CPU time of the JIT compiler threads ({@code C1/C2 CompilerThread}) of these JVMs: a benchmark warms up until
     * they are nearly idle, because before that it measures compiling, not Herald.
     */
    static Duration compilers(long... pids) {
        long ticks = 0;
        for (long pid : pids) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                ticks += tasks.mapToLong(LinuxCpu::compilerTicks).sum();
            } catch (IOException e) {
                // not Linux, or the process ended: no compiler time to report
            }
        }
        return Duration.ofMillis(ticks * 10); // USER_HZ = 100
    }

    /** Busy time of all CPUs of the machine so far (all but idle and iowait): shows whether the machine was full. */
    static Duration machineBusy() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long ticks = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                ticks += i == 4 || i == 5 ? 0 : Long.parseLong(f[i]); // cpu user nice system idle iowait irq softirq steal
            }
            return Duration.ofMillis(ticks * 10);
        } catch (IOException | RuntimeException e) {
            return Duration.ZERO;
        }
    }

    private static long compilerTicks(Path task) {
        try {
            String stat = Files.readString(task.resolve("stat"));
            String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            if (!name.startsWith("C1 Compiler") && !name.startsWith("C2 Compiler")) {
                return 0;
            }
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
        } catch (IOException | RuntimeException e) {
            return 0; // the thread ended meanwhile
        }
    }
}

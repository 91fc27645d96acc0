package io.herald.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * CPU time of a JVM's JIT compiler threads ({@code C1/C2 CompilerThread}, from Linux {@code /proc/<pid>/task}): a
 * benchmark warms up until they are nearly idle, because before that it measures compiling, not Herald.
 */
final class JitCompilers {

    private JitCompilers() {
    }

    static Duration cpuTime(long... pids) {
        long ticks = 0;
        for (long pid : pids) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                ticks += tasks.mapToLong(JitCompilers::compilerTicks).sum();
            } catch (IOException e) {
                // not Linux, or the process ended: no compiler time to report
            }
        }
        return Duration.ofMillis(ticks * 10); // USER_HZ = 100
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

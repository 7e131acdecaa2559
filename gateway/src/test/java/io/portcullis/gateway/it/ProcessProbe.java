package io.portcullis.gateway.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a benchmark reads of another process on Linux, from outside it: its resident memory and the
 * CPU time of each of its threads ({@code /proc/<pid>/status}, {@code /proc/<pid>/task/*}/stat).
 */
final class ProcessProbe {
  /** Vert.x names its event-loop threads so; the benchmark reports these. */
  static final String EVENT_LOOP = "vert.x-eventloop-thread-";

  // The kernel reports thread CPU in USER_HZ ticks.
  static final double TICKS_PER_SECOND = ticksPerSecond();
  private static final Pattern THREAD_LINE =
      Pattern.compile("^\"(.+?)\" .*\\bnid=(0x[0-9a-f]+|[0-9]+)\\b", Pattern.MULTILINE);

  private final long pid;

  ProcessProbe(long pid) {
    this.pid = pid;
  }

  /** Resident set size now, in KiB ({@code VmRSS}). */
  long rssKiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for process " + pid);
  }

  /** CPU seconds (user + system) each live thread has used so far, by thread id. */
  Map<Long, Double> cpuByThread() throws IOException {
    return ticksByThread(false);
  }

  /** System CPU seconds each live thread has used so far, by thread id. */
  Map<Long, Double> systemByThread() throws IOException {
    return ticksByThread(true);
  }

  private Map<Long, Double> ticksByThread(boolean systemOnly) throws IOException {
    Map<Long, Double> cpu = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException endedMeanwhile) {
          continue;
        }
        // Fields after the command name, which is in parentheses and may hold spaces:
        // state(3) ... utime(14) stime(15).
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        double ticks = (systemOnly ? 0 : Long.parseLong(f[11])) + Long.parseLong(f[12]);
        cpu.put(Long.parseLong(task.getFileName().toString()), ticks / TICKS_PER_SECOND);
      }
    }
    return cpu;
  }

  /**
   * CPU seconds each event-loop thread used since {@code before} (a {@link #cpuByThread}), by
   * thread name; loops started since then count from zero.
   */
  SortedMap<String, Double> eventLoopCpuSince(Map<Long, Double> before)
      throws IOException, InterruptedException {
    Map<Long, Double> after = cpuByThread();
    Map<Long, String> names = threadNames();
    SortedMap<String, Double> loops = new TreeMap<>(ProcessProbe::byLoopNumber);
    after.forEach(
        (tid, seconds) -> {
          String name = names.getOrDefault(tid, "");
          if (name.startsWith(EVENT_LOOP)) {
            loops.put(name, seconds - before.getOrDefault(tid, 0.0));
          }
        });
    return loops;
  }

  /**
   * CPU seconds used since {@code before} (a {@link #cpuByThread}) by each kind of thread: threads
   * of one pool (their name without its number) together, busiest first.
   */
  Map<String, Double> cpuByKindSince(Map<Long, Double> before)
      throws IOException, InterruptedException {
    return byKind(before, cpuByThread());
  }

  /** What {@code after} adds to {@code before} (both by thread id), summed by thread kind. */
  Map<String, Double> byKind(Map<Long, Double> before, Map<Long, Double> after)
      throws IOException, InterruptedException {
    Map<Long, String> names = threadNames();
    Map<String, Double> kinds = new HashMap<>();
    after.forEach(
        (tid, seconds) -> {
          String kind = names.getOrDefault(tid, "(ended or unnamed)").replaceAll("[-#]?\\d+$", "");
          kinds.merge(kind, seconds - before.getOrDefault(tid, 0.0), Double::sum);
        });
    Map<String, Double> sorted = new java.util.LinkedHashMap<>();
    kinds.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  /** CPU seconds of the whole process since {@code before} (a {@link #cpuByThread}). */
  double cpuSince(Map<Long, Double> before) throws IOException {
    double total = 0;
    for (var e : cpuByThread().entrySet()) {
      total += e.getValue() - before.getOrDefault(e.getKey(), 0.0);
    }
    return total;
  }

  /**
   * Full thread names by thread id, from {@code jcmd Thread.print}: the kernel's {@code comm} cuts
   * names at 15 characters, so every event loop there reads {@code vert.x-eventloo}.
   */
  private Map<Long, String> threadNames() throws IOException, InterruptedException {
    Process jcmd =
        new ProcessBuilder("jcmd", Long.toString(pid), "Thread.print")
            .redirectErrorStream(true)
            .start();
    String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (jcmd.waitFor() != 0) {
      throw new IllegalStateException("jcmd failed: " + dump);
    }
    Map<Long, String> names = new HashMap<>();
    Matcher m = THREAD_LINE.matcher(dump);
    while (m.find()) {
      names.put(Long.decode(m.group(2)), m.group(1));
    }
    return names;
  }

  private static int byLoopNumber(String a, String b) {
    return Integer.compare(loopNumber(a), loopNumber(b));
  }

  private static int loopNumber(String name) {
    return Integer.parseInt(name.substring(EVENT_LOOP.length()));
  }

  private static double ticksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor() == 0 ? Double.parseDouble(out) : 100;
    } catch (IOException | InterruptedException | NumberFormatException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return 100; // USER_HZ on every Linux architecture the JDK ships for
    }
  }
}

package io.portcullis.gateway.it;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Linux {@code perf record} of one JVM's CPU (Java, JIT-compiled code and the kernel, where JFR
 * sees only threads in Java code, and on a loaded machine few of those), summarised by {@code perf
 * report}: by thread and by symbol, with JIT-compiled methods named from the map {@code jcmd
 * Compiler.perfmap} writes.
 */
final class PerfProfile implements AutoCloseable {
  private final long pid;
  private final Path data;
  private final Process perf;

  private PerfProfile(long pid, Path data, Process perf) {
    this.pid = pid;
    this.data = data;
    this.perf = perf;
  }

  /** Starts sampling {@code pid} into {@code data}, call graphs included. */
  static PerfProfile start(long pid, Path data) throws IOException {
    Process perf =
        new ProcessBuilder(
                "perf",
                "record",
                "-F",
                "499",
                "-g",
                "-p",
                Long.toString(pid),
                "-o",
                data.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    return new PerfProfile(pid, data, perf);
  }

  /** Stops sampling, names the JIT's methods and prints where the samples fell. */
  void report(PrintStream out) throws IOException, InterruptedException {
    close();
    run(List.of("jcmd", Long.toString(pid), "Compiler.perfmap"));
    out.printf("%n== perf: CPU samples of the gateway during the cold rounds ==%n");
    out.print(head(perfReport("--no-children", "comm"), 20));
    out.print(head(perfReport("--no-children", "sym", "--percent-limit", "0.7"), 70));
    out.printf("-- inclusive (a method and what it calls) --%n");
    out.print(head(perfReport("--children", "sym", "--percent-limit", "3"), 90));
    out.printf("(perf data kept in %s, JIT symbols in /tmp/perf-%d.map)%n", data, pid);
  }

  @Override
  public void close() throws InterruptedException {
    if (perf.isAlive()) {
      perf.destroy(); // SIGTERM: perf writes its data and exits
      if (!perf.waitFor(30, TimeUnit.SECONDS)) {
        perf.destroyForcibly();
      }
    }
  }

  /** {@code perf report} of the samples, sorted by {@code sort}, without call graphs. */
  private String perfReport(String children, String sort, String... more)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "perf",
                "report",
                "-i",
                data.toString(),
                "--stdio",
                children,
                "--sort",
                sort,
                "-g",
                "none"));
    cmd.addAll(List.of(more));
    return run(cmd);
  }

  /** The first {@code lines} lines of a report, its comment lines and blank lines left out. */
  private static String head(String text, int lines) {
    return String.join(
            "\n",
            text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).limit(lines).toList())
        + "\n";
  }

  private static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }
}

package io.portcullis.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The log file of a server a test started, and the end of it that a failure message quotes (the
 * reason a server did not start is nearly always in its last lines); how such a server is started
 * and its hook taken back.
 */
final class ProcessLog {
  private static final int TAIL_LINES = 30;

  private ProcessLog() {}

  /** The last lines of {@code log}, as a block to append to a message. */
  static String tail(Path log) {
    try {
      List<String> lines =
          Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
      List<String> last = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
      return "\n--- last lines of " + log + " ---\n" + String.join("\n", last);
    } catch (IOException e) {
      return "\n(cannot read " + log + ": " + e + ")";
    }
  }

  /**
   * Starts a server in {@code workDir} with its output (stdout and stderr) appended to {@code log}
   * and no input.
   */
  static Process start(List<String> command, Path workDir, Path log) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.directory(workDir.toFile());
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    }
  }

  /** Takes back a shutdown hook, unless the JVM is already running it. */
  static void removeShutdownHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // the JVM is already shutting down, or the hook was never added: nothing to undo
    }
  }
}

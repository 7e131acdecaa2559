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

  /** Tries at starting a server on newly picked ports before a taken port is final. */
  private static final int START_ATTEMPTS = 3;

  /**
   * One try at starting a server on newly picked free ports: pick them, launch, and wait until it
   * answers, failing with {@link IllegalStateException} when it does not.
   */
  interface StartAttempt {
    void run();
  }

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

  /**
   * Runs {@code attempt}, and again on new ports when its server failed because another process
   * took a port between the probe and the server's bind (which the server's {@code log} says with
   * {@code portTaken}), up to three tries. {@code stop} kills a failed try's process; any other
   * failure is thrown at once.
   */
  static void startOnFreePorts(StartAttempt attempt, Path log, String portTaken, Runnable stop) {
    for (int tries = 1; ; tries++) {
      try {
        attempt.run();
        return;
      } catch (IllegalStateException e) {
        boolean taken = tail(log).contains(portTaken);
        stop.run();
        if (!taken || tries == START_ATTEMPTS) {
          throw e;
        }
      }
    }
  }
}

package io.portcullis.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one external program to completion with a fixed environment and a timeout. Output goes to
 * files rather than pipes so a chatty program can never block on a full pipe buffer.
 */
public final class ExternalCommand {
  private final Path workDir;
  private final Map<String, String> environment;

  /**
   * @param workDir scratch directory for the captured output
   * @param environment variables set on top of the inherited environment
   */
  public ExternalCommand(Path workDir, Map<String, String> environment) {
    this.workDir = workDir;
    this.environment = Map.copyOf(environment);
  }

  /**
   * Runs {@code command} in the current directory; killed (and so {@link CommandResult#TIMED_OUT})
   * after {@code timeout}.
   */
  public CommandResult run(List<String> command, Duration timeout) {
    return run(command, timeout, Path.of("/dev/null"));
  }

  /**
   * As {@link #run(List, Duration)}, with standard input read from {@code stdin}: how a secret
   * reaches a program that must not see it in its arguments ({@code podman login
   * --password-stdin}).
   */
  public CommandResult run(List<String> command, Duration timeout, Path stdin) {
    try {
      Path out = Files.createTempFile(workDir, "stdout-", ".txt");
      Path err = Files.createTempFile(workDir, "stderr-", ".txt");
      try {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.redirectInput(ProcessBuilder.Redirect.from(stdin.toFile()));
        Process process = builder.start();
        int exit = waitFor(process, timeout);
        return new CommandResult(
            command,
            exit,
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    }
  }

  private static int waitFor(Process process, Duration timeout) {
    try {
      if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return process.exitValue();
      }
      ProcessTrees.kill(process);
      return CommandResult.TIMED_OUT;
    } catch (InterruptedException e) {
      ProcessTrees.kill(process);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running a command", e);
    }
  }
}

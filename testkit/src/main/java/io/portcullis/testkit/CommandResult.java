package io.portcullis.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * What an external command (skopeo, umoci) did: its arguments, exit code and output. A failed
 * command is a value, not an exception, so a test can assert that a pull was refused; call {@link
 * #orThrow()} where success is expected.
 *
 * @param command the argument vector that ran
 * @param exitCode the exit status, or {@link #TIMED_OUT} when the command was killed
 * @param stdout standard output, decoded as UTF-8
 * @param stderr standard error, decoded as UTF-8
 */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {
  /** The exit code recorded when the command ran past its timeout and was killed. */
  public static final int TIMED_OUT = -1;

  private static final ObjectMapper JSON = new ObjectMapper();

  public CommandResult {
    command = List.copyOf(command);
  }

  public boolean ok() {
    return exitCode == 0;
  }

  /** Returns this result if the command succeeded, else throws with its stderr in the message. */
  public CommandResult orThrow() {
    if (!ok()) {
      throw new AssertionError(describe());
    }
    return this;
  }

  /** Parses stdout as JSON, e.g. the output of {@code skopeo inspect}. */
  public JsonNode json() {
    try {
      return JSON.readTree(stdout);
    } catch (IOException e) {
      throw new UncheckedIOException("stdout of " + String.join(" ", command) + " is not JSON", e);
    }
  }

  /** A one-paragraph account of the run for failure messages. */
  public String describe() {
    String status = exitCode == TIMED_OUT ? "timed out" : "exited " + exitCode;
    return String.join(" ", command) + " " + status + "\nstderr: " + stderr.strip();
  }
}

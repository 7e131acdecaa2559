package io.portcullis.testkit;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One in-process run of a command-line program (a picocli {@code CommandLine}) with its standard
 * output and error captured, so a test can assert on the exit code and on each stream.
 *
 * @param exitCode what the program returned
 * @param out what it wrote to standard output
 * @param err what it wrote to standard error
 */
public record ConsoleRun(int exitCode, String out, String err) {

  /** A program that writes to the given streams and returns its exit code. */
  @FunctionalInterface
  public interface Program {
    int run(PrintWriter out, PrintWriter err);
  }

  /** Runs {@code program} once and captures what it wrote. */
  public static ConsoleRun of(Program program) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = program.run(new PrintWriter(out, true), new PrintWriter(err, true));
    return new ConsoleRun(code, out.toString(), err.toString());
  }
}

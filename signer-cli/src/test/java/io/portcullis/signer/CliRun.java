package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.testkit.ConsoleRun;

/** One in-process run of the CLI with captured output, as the tests' unit of observation. */
record CliRun(int exitCode, String out, String err) {

  static CliRun of(String... args) {
    ConsoleRun run =
        ConsoleRun.of((out, err) -> SignerCli.commandLine().setOut(out).setErr(err).execute(args));
    return new CliRun(run.exitCode(), run.out(), run.err());
  }

  /** Runs the CLI as {@link #of} does and fails unless it exits 0. */
  static CliRun ok(String... args) {
    CliRun run = of(args);
    assertEquals(0, run.exitCode(), run.toString());
    return run;
  }

  /** stderr as lines, for asserting the one-line error rule. */
  long errLines() {
    return err.lines().filter(l -> !l.isBlank()).count();
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
  }
}

package io.portcullis.signer;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the CLI with captured output, as the tests' unit of observation. */
record CliRun(int exitCode, String out, String err) {

  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        SignerCli.commandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new CliRun(code, out.toString(), err.toString());
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

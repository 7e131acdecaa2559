package io.portcullis.signer;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code verify} checked and found, one line per signature, then a verdict. Like cosign, the
 * image passes when at least one signature passes; the failing ones are still reported with their
 * reason, so a stale or foreign signature is visible without blocking.
 */
final class VerificationReport {

  /** The outcome for one signature or attestation. */
  record Check(String subject, boolean passed, String detail) {}

  private final String what;
  private final List<Check> checks = new ArrayList<>();

  VerificationReport(String what) {
    this.what = what;
  }

  void pass(String subject, String detail) {
    checks.add(new Check(subject, true, detail));
  }

  void fail(String subject, String detail) {
    checks.add(new Check(subject, false, detail));
  }

  boolean verified() {
    return checks.stream().anyMatch(Check::passed);
  }

  /** Prints every check and the verdict; returns the exit code. */
  int print(PrintWriter out) {
    for (Check c : checks) {
      out.println((c.passed() ? "PASS " : "FAIL ") + c.subject() + ": " + c.detail());
    }
    long passed = checks.stream().filter(Check::passed).count();
    if (checks.isEmpty()) {
      out.println("FAIL no " + what + " found");
    }
    out.println(
        (verified() ? "VERIFIED: " : "NOT VERIFIED: ")
            + passed
            + " of "
            + checks.size()
            + " "
            + what
            + " passed");
    out.flush();
    return verified() ? ExitCodes.OK : ExitCodes.VERIFICATION_FAILED;
  }
}

package io.portcullis.core.notation;

import io.portcullis.core.oci.Descriptor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What verifying one signature found: one {@link CheckResult} per validation of <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#signature-verification">signature
 * verification</a> (integrity, authenticity, authentic timestamp, expiry) plus the target digest
 * match of the <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signing-and-verification-workflow.md#verification-steps">verification
 * workflow</a>. A failed verification is a value, not an exception, so a policy can decide which
 * checks to enforce and which only to log.
 *
 * @param target the signed target descriptor, present once integrity passed
 * @param signingCertificate the signer's certificate, present once the envelope parsed
 */
public record VerificationOutcome(
    List<CheckResult> checks, Descriptor target, X509Certificate signingCertificate) {

  /** The validations, in the order the spec performs them. */
  public enum Check {
    INTEGRITY,
    AUTHENTICITY,
    AUTHENTIC_TIMESTAMP,
    EXPIRY,
    TARGET_DIGEST
  }

  /** How one validation ended. */
  public enum Result {
    PASSED,
    /** The signature was examined and is not acceptable. */
    FAILED,
    /**
     * The verifier could not decide (e.g. a required verification plugin it does not have). Fails
     * closed like {@link #FAILED}, but tells the operator the fault may be on this side.
     */
    UNVERIFIABLE,
    /** Not evaluated because an earlier check made its inputs untrustworthy. */
    SKIPPED
  }

  /** One validation's result; {@code reason} is one line a person can act on. */
  public record CheckResult(Check check, Result result, String reason) {}

  public VerificationOutcome {
    checks = List.copyOf(checks);
  }

  /** True only when every check passed: anything else fails closed. */
  public boolean verified() {
    return !checks.isEmpty() && checks.stream().allMatch(c -> c.result() == Result.PASSED);
  }

  /** The result of {@code check}. */
  public Optional<CheckResult> result(Check check) {
    return checks.stream().filter(c -> c.check() == check).findFirst();
  }

  /** The first check that did not pass, if any. */
  public Optional<CheckResult> firstProblem() {
    return checks.stream()
        .filter(c -> c.result() != Result.PASSED && c.result() != Result.SKIPPED)
        .findFirst();
  }
}

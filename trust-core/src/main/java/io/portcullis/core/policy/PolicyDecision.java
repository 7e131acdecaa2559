package io.portcullis.core.policy;

import java.util.List;

/**
 * The result of evaluating one policy against one image's {@link Evidence}.
 *
 * @param policy the policy's name
 * @param mode the policy's mode
 * @param satisfied the signature requirements were checked and met (false when the mode is off)
 * @param allowed {@code satisfied}, or the mode is not {@link Mode#ENFORCE}
 * @param checks one entry per requirement, plus {@link Outcome#LOGGED} entries for Notary checks
 *     the policy only logs
 * @param signedBy who signed, for each requirement that passed: {@code cosign key <id> (store)},
 *     {@code x509 '<subject>' (store)} or a Sigstore signer with its issuer, SAN or key id and log
 *     index
 * @param message one line a person can act on: the policy, what failed and what would satisfy it
 */
public record PolicyDecision(
    String policy,
    Mode mode,
    boolean satisfied,
    boolean allowed,
    List<CheckResult> checks,
    List<SignedBy> signedBy,
    String message) {

  public PolicyDecision {
    checks = List.copyOf(checks);
    signedBy = List.copyOf(signedBy);
  }

  /** The signers' descriptions, as messages and the audit record's {@code signers} quote them. */
  public List<String> signers() {
    return signedBy.stream().map(SignedBy::description).toList();
  }

  /**
   * The decision of {@code policy}: allowed when {@code satisfied} or when its mode does not
   * enforce.
   */
  static PolicyDecision of(
      Policy policy,
      boolean satisfied,
      List<CheckResult> checks,
      List<SignedBy> signers,
      String message) {
    return new PolicyDecision(
        policy.name(),
        policy.mode(),
        satisfied,
        satisfied || policy.mode() != Mode.ENFORCE,
        checks,
        signers,
        message);
  }

  /** The checks that did not pass and were not logged or skipped. */
  public List<CheckResult> failures() {
    return checks.stream().filter(c -> c.outcome() == Outcome.FAILED).toList();
  }
}

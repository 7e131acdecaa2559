package io.portcullis.core.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Joins the vetting checks to a signature decision: the image is satisfied only when both are, and
 * the message names each failed rule with its offending field ({@code config.noSecretsInEnv:
 * AWS_SECRET_ACCESS_KEY (name contains SECRET)}). Reasons are built from field names only, so the
 * message never carries a secret value.
 */
final class VetMessage {
  private VetMessage() {}

  /**
   * @param attestationSigners the keyless signers of the attestations that held, named in the
   *     decision's signers after the image's own (so the audit record carries them)
   */
  static PolicyDecision combine(
      Policy policy,
      PolicyDecision signed,
      List<CheckResult> vetted,
      List<SignedBy> attestationSigners) {
    List<CheckResult> failed = vetted.stream().filter(c -> c.outcome() == Outcome.FAILED).toList();
    List<CheckResult> checks = new ArrayList<>(signed.checks());
    checks.addAll(vetted);
    boolean satisfied = signed.satisfied() && failed.isEmpty();
    String who = "policy '" + policy.name() + "'";
    String message;
    if (failed.isEmpty()) {
      message = signed.message() + "; vetted: " + vetted.size() + " rule(s) hold";
    } else {
      String problems =
          failed.stream().map(c -> c.check() + ": " + c.reason()).collect(Collectors.joining("; "));
      if (!signed.satisfied()) {
        message = signed.message() + "; vetting also failed: " + problems;
      } else if (policy.mode() == Mode.ENFORCE) {
        message = "denied by " + who + ": " + problems;
      } else {
        message = "allowed by " + who + " in audit mode, though not satisfied: " + problems;
      }
    }
    List<SignedBy> signers = new ArrayList<>(signed.signedBy());
    attestationSigners.stream().filter(s -> !signers.contains(s)).forEach(signers::add);
    return PolicyDecision.of(policy, satisfied, checks, signers, message);
  }
}

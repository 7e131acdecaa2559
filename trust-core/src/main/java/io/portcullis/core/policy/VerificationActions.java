package io.portcullis.core.policy;

import io.portcullis.core.notation.VerificationOutcome.Check;

/**
 * The {@code verification} section: per-check actions for Notary Project signatures, as the <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#signature-verification-details">Notary
 * verification levels</a> set them. Integrity and the target digest are always enforced: without
 * them nothing else in the envelope can be believed.
 */
public record VerificationActions(
    CheckAction authenticity, CheckAction authenticTimestamp, CheckAction expiry) {

  /** Notary {@code strict}: everything enforced. */
  public static final VerificationActions STRICT =
      new VerificationActions(CheckAction.ENFORCE, CheckAction.ENFORCE, CheckAction.ENFORCE);

  /** Notary {@code permissive}: authenticity enforced, timestamp and expiry logged. */
  public static final VerificationActions PERMISSIVE =
      new VerificationActions(CheckAction.ENFORCE, CheckAction.LOG, CheckAction.LOG);

  /** Notary {@code audit}: only integrity enforced, the rest logged. */
  public static final VerificationActions AUDIT =
      new VerificationActions(CheckAction.LOG, CheckAction.LOG, CheckAction.LOG);

  /** The action for {@code check}. */
  public CheckAction action(Check check) {
    return switch (check) {
      case INTEGRITY, TARGET_DIGEST -> CheckAction.ENFORCE;
      case AUTHENTICITY -> authenticity;
      case AUTHENTIC_TIMESTAMP -> authenticTimestamp;
      case EXPIRY -> expiry;
    };
  }
}

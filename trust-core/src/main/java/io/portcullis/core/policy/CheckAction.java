package io.portcullis.core.policy;

/**
 * What a failed Notary Project check does, as the <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#signature-verification-details">Notary
 * verification actions</a> define them.
 */
public enum CheckAction {
  /** A failure makes the signature unacceptable. */
  ENFORCE,
  /** A failure is reported as {@link Outcome#LOGGED} and the signature still counts. */
  LOG,
  /** The check's result is ignored. */
  SKIP
}

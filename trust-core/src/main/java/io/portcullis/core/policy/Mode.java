package io.portcullis.core.policy;

/**
 * What a policy does with its result, as the Notary Project's verification levels {@code strict},
 * {@code audit} and {@code skip} do for a whole policy (<a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#signature-verification-details">verification
 * levels</a>).
 */
public enum Mode {
  /** Deny what does not satisfy the policy. */
  ENFORCE,
  /** Verify and report, but let everything through. */
  AUDIT,
  /** Verify nothing; let everything through. */
  OFF
}

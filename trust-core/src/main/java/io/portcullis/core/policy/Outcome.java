package io.portcullis.core.policy;

/** How one check of a {@link PolicyDecision} ended. */
public enum Outcome {
  PASSED,
  /** Not acceptable; for an enforced policy this denies. */
  FAILED,
  /** Not evaluated: the policy is off, or the requirement was already decided. */
  SKIPPED,
  /** Failed, but the policy says to log rather than enforce this check. */
  LOGGED
}

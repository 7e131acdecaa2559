package io.portcullis.gateway.enforce;

/**
 * The outcome of a trust decision as the audit log and the decision metrics name it. A type rather
 * than strings, so a new outcome is added in one place and a typo cannot invent one.
 */
public enum AuditOutcome {
  /** The policy was satisfied; the manifest was served. */
  ALLOWED("allowed"),
  /** Refused (403 {@code DENIED}). */
  DENIED("denied"),
  /** Not satisfied, but served because the policy is in audit mode. */
  AUDIT_WOULD_DENY("audit-would-deny"),
  /** The tag moved to a digest the policy refuses; the last approved digest was served. */
  SERVED_LAST_APPROVED("served-last-approved"),
  /**
   * The trust data could not be fetched, or the state shared by the replicas could not be read or
   * written (503); not remembered as a verdict.
   */
  UNVERIFIABLE("unverifiable"),
  /**
   * A manifest served because an index approved under the current policy revision lists it (a
   * platform manifest pulled by digest); the message names the index.
   */
  ALLOWED_BY_INDEX("allowed-by-index"),
  /**
   * A trust artifact (a signature, attestation or other referrer) served because the image it is
   * about is served; the message names that image. It approves nothing it lists.
   */
  ALLOWED_AS_ARTIFACT("allowed-as-artifact");

  private final String wireName;

  AuditOutcome(String wireName) {
    this.wireName = wireName;
  }

  /** The name in the audit record's {@code outcome} field and the metrics' {@code outcome} tag. */
  public String wireName() {
    return wireName;
  }
}

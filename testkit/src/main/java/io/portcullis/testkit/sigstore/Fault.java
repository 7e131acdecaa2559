package io.portcullis.testkit.sigstore;

/**
 * A defect {@link BundleWriter} builds into a keyless bundle, each one a reason a correct verifier
 * must refuse it; everything else about the bundle stays valid, so the refusal can only come from
 * that reason.
 */
public enum Fault {
  /** The certificate's SAN is {@link #ATTACKER_SAN} instead of the identity's. */
  WRONG_SAN,
  /** The certificate's OIDC issuer is {@link #ATTACKER_ISSUER}. */
  WRONG_ISSUER,
  /** The bundle has no transparency log entry (so no trusted signing time). */
  NO_TLOG_ENTRY,
  /** The entry's SignedEntryTimestamp is the log's genuine signature, but over another body. */
  SET_OVER_OTHER_BODY,
  /** The leaf's 10 minutes ended before the entry's integrated time. */
  LEAF_EXPIRED_AT_LOG_TIME,
  /**
   * The leaf comes from a CA whose certificates are in date, but whose trusted-root {@code
   * validFor} window ended before the signing time.
   */
  CA_NOT_VALID_AT_LOG_TIME,
  /** The embedded SCT names the trusted CT log but is signed by another key. */
  SCT_WRONG_KEY,
  /** The embedded SCT's signature has a flipped bit. */
  SCT_TAMPERED,
  /** The certificate has no embedded SCT. */
  NO_SCT,
  /** The signature (message or DSSE) has a flipped bit after logging. */
  TAMPERED_SIGNATURE,
  /** The signed content (DSSE payload, or the stated message digest) changed after signing. */
  TAMPERED_PAYLOAD,
  /** Validly signed and logged, but over another artifact (another image manifest digest). */
  OTHER_DIGEST;

  /** The SAN {@link #WRONG_SAN} puts in the certificate. */
  public static final String ATTACKER_SAN =
      "https://github.com/attacker/app/.github/workflows/release.yml@refs/heads/main";

  /** The issuer {@link #WRONG_ISSUER} puts in the certificate. */
  public static final String ATTACKER_ISSUER = "https://issuer.attacker.test";
}

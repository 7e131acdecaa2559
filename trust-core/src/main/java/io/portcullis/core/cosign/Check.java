package io.portcullis.core.cosign;

/**
 * The checks a cosign signature or attestation goes through, in the spirit of notation-go's
 * verification outcome: each is reported on its own so a policy can say which one failed.
 */
public enum Check {
  /** The fetched layer bytes hash to the digest its descriptor states. */
  LAYER_DIGEST,
  /** The signature verifies under a trusted key or a certificate issued by a trusted root. */
  SIGNATURE,
  /** The Rekor bundle's SignedEntryTimestamp verifies and its entry is this signature. */
  TRANSPARENCY_LOG,
  /** The signing certificate chains to a trusted root at the signing time. */
  CERTIFICATE_CHAIN,
  /** The payload parses and is of the expected type (simple signing type or predicate type). */
  PAYLOAD_TYPE,
  /** The payload names the image being verified (manifest digest or statement subject). */
  SUBJECT_DIGEST
}

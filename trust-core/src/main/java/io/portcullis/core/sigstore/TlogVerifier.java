package io.portcullis.core.sigstore;

import java.security.PublicKey;
import java.time.Instant;
import java.util.Optional;

/**
 * Verifies a bundle's transparency log entry against the trusted root's Rekor logs: its
 * SignedEntryTimestamp and/or its inclusion proof up to a signed checkpoint, and that its body is
 * the bundle's signature (Rekor v1 {@code hashedrekord}, {@code dsse}, {@code intoto}; Rekor v2
 * {@code hashedrekord} and {@code dsse} 0.0.2).
 */
public final class TlogVerifier {
  private TlogVerifier() {}

  /**
   * A verified entry: the log that holds it and, for Rekor v1, the integrated time its SET or the
   * log vouches for.
   */
  public record VerifiedEntry(
      TlogEntry entry, TransparencyLog log, Optional<Instant> integratedTime) {}

  /**
   * Checks that {@code entry} is in a log of {@code root}: the log is known and valid at the
   * entry's time; the SET (when present) is the log's signature over the entry; the inclusion proof
   * (when present) leads to the root of a checkpoint the log signed. At least one of the two must
   * be present and verify.
   */
  public static VerifiedEntry verifyInclusion(TlogEntry entry, TrustedRoot root)
      throws SigstoreVerificationException {
    throw new UnsupportedOperationException("issue 13: TlogVerifier.verifyInclusion");
  }

  /**
   * Checks that {@code entry}'s body records exactly {@code bundle}'s signature: for a message
   * signature, the signature, the artifact digest and the verification material (certificate or
   * {@code key}); for a DSSE envelope, the envelope's payload hash and signatures and the
   * verification material. An entry kind that does not fit the content is refused.
   *
   * @param artifactSha256 the artifact's SHA-256 (for message signatures)
   * @param key the verifying key of a key-based bundle; null for a certificate
   */
  public static void requireBodyMatches(
      TlogEntry entry, SigstoreBundle bundle, byte[] artifactSha256, PublicKey key)
      throws SigstoreVerificationException {
    throw new UnsupportedOperationException("issue 13: TlogVerifier.requireBodyMatches");
  }
}

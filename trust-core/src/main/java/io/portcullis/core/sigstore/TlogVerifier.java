package io.portcullis.core.sigstore;

import java.net.URI;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Verifies a bundle's transparency log entry against the trusted root's Rekor logs: its
 * SignedEntryTimestamp and/or its inclusion proof up to a signed checkpoint, and that its body is
 * the bundle's signature (Rekor v1 {@code hashedrekord}, {@code dsse}, {@code intoto}; Rekor v2
 * {@code hashedrekord} 0.0.2). See the "Transparency logs, SCTs and timestamps" section of {@code
 * docs/sigstore.md}.
 */
public final class TlogVerifier {
  private TlogVerifier() {}

  /**
   * A verified entry: the log that holds it and, for Rekor v1, the integrated time its SET or the
   * log vouches for.
   *
   * @param integratedTime present only when a verified SET signs it: an entry with an inclusion
   *     proof alone carries a time nothing signs, and a Rekor v2 entry carries none
   */
  public record VerifiedEntry(
      TlogEntry entry, TransparencyLog log, Optional<Instant> integratedTime) {}

  /**
   * Checks that {@code entry} is in a log of {@code root}: the log is known and valid at the
   * entry's time; the SET (when present) is the log's signature over the entry; the inclusion proof
   * (when present) leads to the root of a checkpoint the log signed. At least one of the two must
   * be present and verify; every one present must verify.
   *
   * <p>A Rekor v2 entry has no integrated time, so its log's {@code validFor} cannot be checked
   * here: the caller checks {@link VerifiedEntry#log()}'s validity at the verified RFC 3161 time.
   */
  public static VerifiedEntry verifyInclusion(TlogEntry entry, TrustedRoot root)
      throws SigstoreVerificationException {
    byte[] logId = entry.logId();
    TransparencyLog log =
        root.tlogs().stream()
            .filter(l -> l.hasId(logId))
            .findFirst()
            .orElseThrow(
                () ->
                    new SigstoreVerificationException(
                        "transparency log "
                            + HexFormat.of().formatHex(logId)
                            + " is not in the trusted root"));
    if (entry.signedEntryTimestamp().isEmpty() && entry.inclusionProof().isEmpty()) {
      throw new SigstoreVerificationException(
          "transparency log entry has neither an inclusion promise (SET) nor an inclusion proof");
    }
    Optional<Instant> integrated = Optional.empty();
    if (entry.signedEntryTimestamp().isPresent()) {
      requireSet(entry, log);
      integrated = Optional.of(Instant.ofEpochSecond(entry.integratedTime()));
      if (!log.validity().contains(integrated.get())) {
        throw new SigstoreVerificationException(
            "transparency log "
                + log.baseUrl()
                + " was not valid at the entry's integrated time "
                + integrated.get()
                + " (valid "
                + log.validity()
                + ")");
      }
    }
    if (entry.inclusionProof().isPresent()) {
      requireProof(entry, entry.inclusionProof().get(), log);
    }
    return new VerifiedEntry(entry, log, integrated);
  }

  private static void requireSet(TlogEntry entry, TransparencyLog log)
      throws SigstoreVerificationException {
    if (entry.integratedTime() <= 0) {
      throw new SigstoreVerificationException(
          "entry SET was not valid: the entry has no integrated time");
    }
    byte[] payload =
        SignedEntryTimestamp.payload(
            entry.canonicalizedBody(), entry.integratedTime(), entry.logId(), entry.logIndex());
    if (!SignedEntryTimestamp.verifies(log.key(), payload, entry.signedEntryTimestamp().get())) {
      throw new SigstoreVerificationException(
          "entry SET was not valid: not signed by transparency log " + log.baseUrl());
    }
  }

  private static void requireProof(TlogEntry entry, InclusionProof proof, TransparencyLog log)
      throws SigstoreVerificationException {
    MerkleProofs.verifyInclusion(
        proof.logIndex(),
        proof.treeSize(),
        MerkleProofs.leafHash(entry.canonicalizedBody()),
        proof.hashes(),
        proof.rootHash());
    Checkpoint checkpoint = Checkpoint.parse(proof.checkpoint());
    if (checkpoint.size() != proof.treeSize()
        || !MessageDigest.isEqual(checkpoint.rootHash(), proof.rootHash())) {
      throw new SigstoreVerificationException(
          "checkpoint is for tree size "
              + checkpoint.size()
              + ", not the inclusion proof's root of size "
              + proof.treeSize());
    }
    String name = logName(log);
    String origin = checkpoint.origin();
    // Rekor v1 origins append the tree id ("rekor.sigstore.dev - 2605736670972794746")
    if (!origin.equals(name) && !origin.startsWith(name + " ")) {
      throw new SigstoreVerificationException(
          "checkpoint origin '" + origin + "' is not transparency log " + name);
    }
    checkpoint.requireSignedBy(log, name);
  }

  /** The name a log signs its checkpoints with: its URL's host, as Rekor and sigstore-java use. */
  static String logName(TransparencyLog log) throws SigstoreVerificationException {
    try {
      String host = URI.create(log.baseUrl()).getHost();
      if (host != null) {
        return host;
      }
    } catch (IllegalArgumentException e) {
      // falls through
    }
    throw new SigstoreVerificationException(
        "transparency log '" + log.baseUrl() + "' has no host to name its checkpoints");
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
    RekorEntryBodies.requireMatches(entry, bundle, artifactSha256, key);
  }
}

package io.portcullis.core.sigstore;

import java.util.Optional;

/**
 * A {@code TransparencyLogEntry} of a bundle: a Rekor entry, with its offline promise of inclusion
 * (the SignedEntryTimestamp) and/or a proof of inclusion against a signed checkpoint.
 *
 * @param logIndex the entry's global index (what {@code rekor-cli get --log-index} takes)
 * @param logId the log's key id ({@code logId.keyId})
 * @param kind {@code hashedrekord}, {@code dsse}, {@code intoto}
 * @param version the entry kind's version: {@code 0.0.1} (Rekor v1), {@code 0.0.2} (Rekor v2)
 * @param integratedTime seconds since the epoch when the log integrated it; 0 for a Rekor v2 entry,
 *     which carries none (its time comes from an RFC 3161 timestamp)
 * @param canonicalizedBody the entry body exactly as logged
 * @param signedEntryTimestamp the {@code inclusionPromise}, when present
 * @param inclusionProof the {@code inclusionProof}, when present
 */
public record TlogEntry(
    long logIndex,
    byte[] logId,
    String kind,
    String version,
    long integratedTime,
    byte[] canonicalizedBody,
    Optional<byte[]> signedEntryTimestamp,
    Optional<InclusionProof> inclusionProof) {

  public TlogEntry {
    logId = logId.clone();
    canonicalizedBody = canonicalizedBody.clone();
    signedEntryTimestamp = signedEntryTimestamp.map(byte[]::clone);
  }

  @Override
  public byte[] logId() {
    return logId.clone();
  }

  @Override
  public byte[] canonicalizedBody() {
    return canonicalizedBody.clone();
  }

  @Override
  public Optional<byte[]> signedEntryTimestamp() {
    return signedEntryTimestamp.map(byte[]::clone);
  }
}

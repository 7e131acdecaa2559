package io.portcullis.core.sigstore;

import java.security.PublicKey;
import java.util.Arrays;

/**
 * A transparency log of the trusted root: a Rekor log ({@code tlogs}) or a certificate transparency
 * log ({@code ctlogs}).
 *
 * @param baseUrl the log's URL; for Rekor, its host is the checkpoint origin's first word
 * @param logId the {@code logId.keyId} bytes entries and SCTs name the log by
 * @param publicKeyDer the key's DER ({@code publicKey.rawBytes})
 * @param key the decoded key
 * @param keyDetails e.g. {@code PKIX_ECDSA_P256_SHA_256}, {@code PKIX_ED25519}
 * @param validity when the log's key may be used
 */
public record TransparencyLog(
    String baseUrl,
    byte[] logId,
    byte[] publicKeyDer,
    PublicKey key,
    String keyDetails,
    Validity validity) {

  public TransparencyLog {
    logId = logId.clone();
    publicKeyDer = publicKeyDer.clone();
  }

  @Override
  public byte[] logId() {
    return logId.clone();
  }

  @Override
  public byte[] publicKeyDer() {
    return publicKeyDer.clone();
  }

  /** Whether this log is named by {@code id}. */
  public boolean hasId(byte[] id) {
    return Arrays.equals(logId, id);
  }
}

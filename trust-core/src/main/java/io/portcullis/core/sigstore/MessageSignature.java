package io.portcullis.core.sigstore;

import java.util.Optional;

/**
 * A bundle's {@code messageSignature}: a signature over an artifact's bytes (a {@code hashedrekord}
 * in the log), with the digest the signer states, which may be absent.
 *
 * @param digestAlgorithm e.g. {@code SHA2_256}, when stated
 * @param digest the stated digest of the artifact, when stated
 * @param signature the signature bytes
 */
public record MessageSignature(
    Optional<String> digestAlgorithm, Optional<byte[]> digest, byte[] signature) {

  public MessageSignature {
    digest = digest.map(byte[]::clone);
    signature = signature.clone();
  }

  @Override
  public Optional<byte[]> digest() {
    return digest.map(byte[]::clone);
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }
}

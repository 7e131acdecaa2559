package io.portcullis.core.keys;

/**
 * Signs bytes with one private key; obtain one from {@link Signers}. The output is in the form the
 * matching {@link SignatureVerifier} reads (DER for ECDSA), which is what cosign writes.
 */
public interface Signer {
  byte[] sign(byte[] data);

  SignatureAlgorithm algorithm();
}

package io.portcullis.core.keys;

import java.security.PublicKey;

/**
 * Checks signatures under one public key with one {@link SignatureAlgorithm}. Obtain one from
 * {@link Verifiers}. A malformed signature is a failed verification, never an exception, because to
 * a verifier an unparseable signature and a wrong one mean the same thing.
 */
public interface SignatureVerifier {
  /** True when {@code signature} is a valid signature of {@code data}. */
  boolean verify(byte[] data, byte[] signature);

  PublicKey publicKey();

  SignatureAlgorithm algorithm();
}

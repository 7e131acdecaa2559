package io.portcullis.core.keys;

import java.security.PublicKey;
import java.util.Set;

/**
 * PEM {@code PUBLIC KEY} blocks (DER SubjectPublicKeyInfo, <a
 * href="https://www.rfc-editor.org/rfc/rfc7468#section-13">RFC 7468 section 13</a>), the form of
 * {@code cosign.pub}. ECDSA P-256/P-384, RSA and Ed25519 keys are read and written.
 */
public final class PublicKeyPem {
  public static final String LABEL = "PUBLIC KEY";

  private PublicKeyPem() {}

  /** The key in {@code pem}, which must be a single {@code PUBLIC KEY} block. */
  /** A DER SubjectPublicKeyInfo (as trusted roots and bundles carry keys) as a JDK key. */
  public static PublicKey fromDer(byte[] spki) {
    return KeyDecoder.publicKey(spki);
  }

  public static PublicKey parse(String pem) {
    PublicKey key = KeyDecoder.publicKey(PemBlock.readSingle(pem, Set.of(LABEL)).content());
    Verifiers.forPublicKey(key); // refuses curves and key types nothing here can verify with
    return key;
  }

  /** {@code key} as a PEM {@code PUBLIC KEY} block. */
  public static String encode(PublicKey key) {
    return new PemBlock(LABEL, key.getEncoded()).encode();
  }
}

package io.portcullis.core.policy;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.HexFormat;

/**
 * A public key of a cosign trust store.
 *
 * @param keyId hex SHA-256 of the key's DER SubjectPublicKeyInfo, the id cosign and Rekor use; safe
 *     to print, unlike the key material
 * @param key the key
 * @param file where it was read from
 */
public record TrustedKey(String keyId, PublicKey key, Path file) {

  public static TrustedKey of(PublicKey key, Path file) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return new TrustedKey(HexFormat.of().formatHex(hash), key, file);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  /** The first 16 hex digits of the key id, as printed in checks and signer lists. */
  public String shortId() {
    return keyId.substring(0, 16);
  }
}

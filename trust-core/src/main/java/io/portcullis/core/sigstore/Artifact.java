package io.portcullis.core.sigstore;

import io.portcullis.core.oci.Digest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * What a bundle is verified against: an artifact's bytes, or only its SHA-256 (an image manifest's
 * digest, or {@code sha256:<hex>} given to {@code verify-bundle}).
 *
 * @param sha256 the artifact's SHA-256
 * @param content the artifact's bytes when known (needed for a message signature over bytes whose
 *     digest the bundle does not state)
 */
public record Artifact(byte[] sha256, Optional<byte[]> content) {
  public Artifact {
    if (sha256.length != 32) {
      throw new IllegalArgumentException("a SHA-256 digest has 32 bytes");
    }
    sha256 = sha256.clone();
    content = content.map(byte[]::clone);
  }

  @Override
  public byte[] sha256() {
    return sha256.clone();
  }

  @Override
  public Optional<byte[]> content() {
    return content.map(byte[]::clone);
  }

  /** An artifact known by its bytes. */
  public static Artifact ofContent(byte[] content) {
    try {
      return new Artifact(
          MessageDigest.getInstance("SHA-256").digest(content), Optional.of(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An artifact known by its SHA-256 digest only, e.g. an image manifest. */
  public static Artifact ofDigest(Digest digest) {
    if (!"sha256".equals(digest.algorithm())) {
      throw new IllegalArgumentException("only sha256 artifacts are verified, not " + digest);
    }
    return new Artifact(java.util.HexFormat.of().parseHex(digest.hex()), Optional.empty());
  }
}

package io.portcullis.core.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A validated content digest, {@code algorithm:hex}.
 *
 * <p>Implements the registered algorithms of the <a
 * href="https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests">OCI image
 * spec, descriptor digests</a>: {@code sha256} (64 lowercase hex) and {@code sha512} (128 lowercase
 * hex). Anything else is refused at the edge, so code further in never sees an unverifiable digest.
 */
public record Digest(String algorithm, String hex) {

  private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

  public Digest {
    if (!isValid(algorithm, hex)) {
      throw new InvalidReferenceException("invalid digest: " + algorithm + ":" + hex);
    }
  }

  /** Parses {@code sha256:<64 hex>} or {@code sha512:<128 hex>}; throws on anything else. */
  public static Digest parse(String value) {
    if (value == null) {
      throw new InvalidReferenceException("digest is missing");
    }
    int colon = value.indexOf(':');
    if (colon <= 0) {
      throw new InvalidReferenceException(
          "invalid digest '" + abbreviate(value) + "': expected algorithm:hex");
    }
    String algorithm = value.substring(0, colon);
    String hex = value.substring(colon + 1);
    if (!isValid(algorithm, hex)) {
      throw new InvalidReferenceException(
          "invalid digest '"
              + abbreviate(value)
              + "': expected sha256 with 64 or sha512 with 128 lowercase hex characters");
    }
    return new Digest(algorithm, hex);
  }

  /** True when {@code value} parses as a digest. */
  public static boolean isDigest(String value) {
    if (value == null) {
      return false;
    }
    int colon = value.indexOf(':');
    return colon > 0 && isValid(value.substring(0, colon), value.substring(colon + 1));
  }

  /** The sha256 digest of {@code bytes}. */
  public static Digest sha256(byte[] bytes) {
    return of("sha256", bytes);
  }

  /** The digest of {@code bytes} under {@code algorithm} (sha256 or sha512). */
  public static Digest of(String algorithm, byte[] bytes) {
    MessageDigest md = messageDigest(algorithm);
    return new Digest(algorithm, HexFormat.of().formatHex(md.digest(bytes)));
  }

  /** A fresh {@link MessageDigest} for this digest's algorithm, to hash a stream against it. */
  public MessageDigest newMessageDigest() {
    return messageDigest(algorithm);
  }

  /** True when {@code computed} (the raw output of {@link #newMessageDigest()}) equals this. */
  public boolean matches(byte[] computed) {
    return MessageDigest.isEqual(HexFormat.of().parseHex(hex), computed);
  }

  /** The referrers-tag-schema tag for this digest: {@code sha256-<hex>}. */
  public String referrersTag() {
    return algorithm + "-" + hex;
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }

  private static MessageDigest messageDigest(String algorithm) {
    String jca =
        switch (algorithm.toLowerCase(Locale.ROOT)) {
          case "sha256" -> "SHA-256";
          case "sha512" -> "SHA-512";
          default ->
              throw new InvalidReferenceException("unsupported digest algorithm " + algorithm);
        };
    try {
      return MessageDigest.getInstance(jca);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK lacks " + jca, e);
    }
  }

  private static boolean isValid(String algorithm, String hex) {
    if (algorithm == null || hex == null) {
      return false;
    }
    return switch (algorithm) {
      case "sha256" -> SHA256.matcher(hex).matches();
      case "sha512" -> SHA512.matcher(hex).matches();
      default -> false;
    };
  }

  static String abbreviate(String value) {
    return value.length() > 80 ? value.substring(0, 80) + "..." : value;
  }
}

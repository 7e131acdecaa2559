package io.portcullis.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** OCI {@code sha256:<hex>} digests of files and byte arrays. */
final class Sha256 {
  private static final int BUFFER = 64 * 1024;

  private Sha256() {}

  static String of(byte[] bytes) {
    return format(newDigest().digest(bytes));
  }

  /** Streams the file through the digest, so large layers never sit in memory. */
  static String of(Path file) {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[BUFFER];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return format(digest.digest());
  }

  private static String format(byte[] hash) {
    return "sha256:" + HexFormat.of().formatHex(hash);
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}

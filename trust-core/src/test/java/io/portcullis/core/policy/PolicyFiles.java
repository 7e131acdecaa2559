package io.portcullis.core.policy;

import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.keys.KeyAlgorithm;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.x509.DevPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;

/** Writes the key and certificate files a test policy refers to, and loads policies beside them. */
final class PolicyFiles {
  private final Path dir;

  PolicyFiles(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  KeyPair key(String file) {
    KeyPair pair = KeyAlgorithm.DEFAULT.generate();
    write(file, PublicKeyPem.encode(pair.getPublic()));
    return pair;
  }

  void certificate(String file, X509Certificate cert) {
    write(file, CertificatePem.encode(cert));
  }

  DevPki pki(String rootFile) {
    // valid since yesterday, so tests can sign "an hour ago"
    DevPki pki =
        DevPki.generate(
            java.time.Instant.now().minus(java.time.Duration.ofDays(1)),
            java.time.Duration.ofDays(365),
            DevPki.SIGNER_SUBJECT);
    certificate(rootFile, pki.root());
    return pki;
  }

  void write(String file, String content) {
    try {
      Path path = dir.resolve(file);
      Files.createDirectories(path.getParent());
      Files.writeString(path, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Asserts that {@code message} is one line and is {@code expected}, or starts with it when it
   * ends in {@code *}.
   */
  static void assertOneLineMessage(String expected, String message) {
    org.junit.jupiter.api.Assertions.assertFalse(message.contains("\n"), "one line: " + message);
    if (expected.endsWith("*")) {
      String prefix = expected.substring(0, expected.length() - 1);
      org.junit.jupiter.api.Assertions.assertTrue(
          message.startsWith(prefix), "expected '" + prefix + "...' but was: " + message);
    } else {
      org.junit.jupiter.api.Assertions.assertEquals(expected, message);
    }
  }

  TrustPolicy parse(String yaml) {
    return TrustPolicyLoader.parse(yaml.getBytes(StandardCharsets.UTF_8), dir, "test.yaml");
  }
}

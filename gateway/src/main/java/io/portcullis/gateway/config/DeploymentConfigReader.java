package io.portcullis.gateway.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Validates the deployment sections: {@code server.tls}, {@code server.shutdownTimeout}, {@code
 * admin} and {@code logging}. TLS files are read and checked here, at start-up, so a wrong path, a
 * key that does not belong to the certificate or an expired certificate stops the gateway with a
 * message naming the key instead of failing every handshake later.
 */
final class DeploymentConfigReader {
  private DeploymentConfigReader() {}

  /** The YAML shape of {@code server.tls}. */
  record TlsSection(String certFile, String keyFile, String clientCaFile) {}

  /** The YAML shape of {@code admin}. */
  record AdminSection(String host, Integer port) {}

  /** The YAML shape of {@code logging}. */
  record LoggingSection(String format) {}

  static Optional<TlsConfig> tls(TlsSection t) {
    if (t == null) {
      return Optional.empty();
    }
    String key = "server.tls";
    if (t.certFile() == null) {
      throw new ConfigException(
          key + ".certFile: is required (PEM server certificate, then its intermediates)");
    }
    if (t.keyFile() == null) {
      throw new ConfigException(key + ".keyFile: is required (PEM private key of certFile)");
    }
    Path certFile = Path.of(t.certFile());
    List<X509Certificate> chain = certificates(certFile, key + ".certFile");
    X509Certificate leaf = chain.get(0);
    Instant now = Instant.now();
    if (leaf.getNotAfter().toInstant().isBefore(now)) {
      throw new ConfigException(
          key
              + ".certFile: the certificate for "
              + leaf.getSubjectX500Principal()
              + " expired on "
              + leaf.getNotAfter().toInstant());
    }
    if (leaf.getNotBefore().toInstant().isAfter(now)) {
      throw new ConfigException(
          key
              + ".certFile: the certificate for "
              + leaf.getSubjectX500Principal()
              + " is not valid before "
              + leaf.getNotBefore().toInstant());
    }
    Path keyFile = Path.of(t.keyFile());
    PrivateKey privateKey = privateKey(keyFile, key + ".keyFile");
    if (!matches(privateKey, leaf.getPublicKey())) {
      throw new ConfigException(
          key
              + ".keyFile: "
              + keyFile
              + " is not the private key of the certificate in "
              + certFile);
    }
    Optional<Path> clientCa = Optional.ofNullable(t.clientCaFile()).map(Path::of);
    clientCa.ifPresent(f -> certificates(f, key + ".clientCaFile"));
    return Optional.of(new TlsConfig(certFile, keyFile, clientCa));
  }

  static Duration shutdownTimeout(String value) {
    if (value == null) {
      return ServerConfig.DEFAULT_SHUTDOWN_TIMEOUT;
    }
    Duration d = Durations.parse(value, "server.shutdownTimeout");
    if (d.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new ConfigException("server.shutdownTimeout: at most 10m");
    }
    return d;
  }

  static Optional<AdminConfig> admin(AdminSection a) {
    if (a == null) {
      return Optional.empty();
    }
    int port = a.port() == null ? AdminConfig.DEFAULT_PORT : a.port();
    if (port < 0 || port > 65535) {
      throw new ConfigException("admin.port: " + port + " is not a port number (0-65535)");
    }
    return Optional.of(
        new AdminConfig(a.host() == null ? AdminConfig.DEFAULT_HOST : a.host(), port));
  }

  static LoggingConfig logging(LoggingSection l) {
    if (l == null || l.format() == null) {
      return LoggingConfig.DEFAULT;
    }
    try {
      return new LoggingConfig(LoggingConfig.Format.valueOf(l.format().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("logging.format: '" + l.format() + "' is not one of: text, json");
    }
  }

  /**
   * The PEM certificates in {@code file}, at least one; else a one-line error naming {@code key}.
   */
  static List<X509Certificate> certificates(Path file, String key) {
    byte[] bytes = read(file, key);
    try {
      List<X509Certificate> certs =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(bytes))
              .stream()
              .map(X509Certificate.class::cast)
              .toList();
      if (certs.isEmpty()) {
        throw new ConfigException(key + ": " + file + " holds no PEM certificate");
      }
      return certs;
    } catch (CertificateException e) {
      throw new ConfigException(key + ": " + file + " is not a PEM certificate file");
    }
  }

  /** Reads an unencrypted private key; its content never appears in a message. */
  private static PrivateKey privateKey(Path file, String key) {
    String text = new String(read(file, key), StandardCharsets.US_ASCII);
    Object object;
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      object = parser.readObject();
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(key + ": " + file + " is not a PEM private key");
    }
    try {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (object instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (object instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
    } catch (IOException e) {
      throw new ConfigException(key + ": " + file + " holds a private key of an unknown type");
    }
    if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
      throw new ConfigException(
          key + ": " + file + " is encrypted; give the unencrypted key as a mounted secret file");
    }
    throw new ConfigException(key + ": " + file + " holds no PEM private key");
  }

  /** True when {@code key} signs what {@code publicKey} verifies. */
  private static boolean matches(PrivateKey key, PublicKey publicKey) {
    String algorithm =
        switch (publicKey.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default -> null;
        };
    if (algorithm == null) {
      return false;
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      // a key of another type than the certificate's does not match either
      return false;
    }
  }

  private static byte[] read(Path file, String key) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException(
          key + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }
}

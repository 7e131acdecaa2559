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
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads and checks the PEM files of {@code server.tls}: the certificate file holds at least one
 * certificate, the first valid now; the key file an unencrypted private key that signs what that
 * certificate's key verifies; the client CA file, when given, at least one certificate. Each
 * problem is one line naming the setting; a key's content never appears in a message. The bytes
 * checked are the bytes returned, so what a listener loads is what was checked, even when a file is
 * replaced in between. Reading ({@link #load}) and checking ({@link #check}) are apart so that a
 * watcher can compare what it read before it checks anything.
 */
public final class TlsFiles {
  /** A PEM file larger than this is refused rather than read: a chain is a few KiB. */
  static final long MAX_FILE_BYTES = 1024 * 1024;

  private TlsFiles() {}

  /** The bytes of the three files as read at one look; equal when every byte is. */
  public record Contents(byte[] certificates, byte[] privateKey, Optional<byte[]> clientCas) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Contents c
          && Arrays.equals(certificates, c.certificates)
          && Arrays.equals(privateKey, c.privateKey)
          && Arrays.equals(clientCas.orElse(null), c.clientCas.orElse(null));
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(certificates);
    }

    @Override
    public String toString() {
      // never the key
      return "TLS files of " + certificates.length + " + " + privateKey.length + " bytes";
    }
  }

  /** Contents that passed the checks, and the certificate they serve. */
  public record Material(Contents files, X509Certificate leaf) {
    @Override
    public String toString() {
      return "TLS material for " + leaf.getSubjectX500Principal();
    }
  }

  /** Reads the files of {@code tls} and checks them as of {@code now}. */
  public static Material read(TlsConfig tls, Instant now) {
    return check(tls, load(tls), now);
  }

  /**
   * Reads the files of {@code tls}, each at most {@link #MAX_FILE_BYTES}, without checking them.
   */
  public static Contents load(TlsConfig tls) {
    String key = "server.tls";
    byte[] certificates = read(tls.certFile(), key + ".certFile");
    byte[] privateKey = read(tls.keyFile(), key + ".keyFile");
    Optional<byte[]> cas = tls.clientCaFile().map(f -> read(f, key + ".clientCaFile"));
    return new Contents(certificates, privateKey, cas);
  }

  /** Checks {@code files}, read from {@code tls}'s paths, as of {@code now}. */
  public static Material check(TlsConfig tls, Contents files, Instant now) {
    String key = "server.tls";
    List<X509Certificate> chain =
        certificates(files.certificates(), tls.certFile(), key + ".certFile");
    X509Certificate leaf = chain.get(0);
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
    PrivateKey privateKey = privateKey(files.privateKey(), tls.keyFile(), key + ".keyFile");
    if (!matches(privateKey, leaf.getPublicKey())) {
      throw new ConfigException(
          key
              + ".keyFile: "
              + tls.keyFile()
              + " is not the private key of the certificate in "
              + tls.certFile());
    }
    files
        .clientCas()
        .ifPresent(cas -> certificates(cas, tls.clientCaFile().get(), key + ".clientCaFile"));
    return new Material(files, leaf);
  }

  /**
   * The PEM certificates in {@code file}, at least one; else a one-line error naming {@code key}.
   */
  static List<X509Certificate> certificates(Path file, String key) {
    return certificates(read(file, key), file, key);
  }

  private static List<X509Certificate> certificates(byte[] bytes, Path file, String key) {
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
  private static PrivateKey privateKey(byte[] bytes, Path file, String key) {
    String text = new String(bytes, StandardCharsets.US_ASCII);
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
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new ConfigException(
            key + ": " + file + " is larger than " + MAX_FILE_BYTES + " bytes: not a PEM file");
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException(
          key + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }
}

package io.portcullis.core.x509;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A named set of trusted certificates of one {@link TrustStoreType}, laid out as Notation does:
 * {@code <root>/x509/<type>/<name>/*.{crt,cer,pem}}.
 *
 * <p>Implements the <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trust-store">trust
 * store</a> rules: a {@code ca} or {@code signingAuthority} store may hold CA certificates or
 * self-signed signing certificates, never a leaf issued by someone else, because trusting such a
 * leaf would silently trust nothing (no chain can end in it) or, worse, be mistaken for a root.
 */
public record TrustStore(TrustStoreType type, String name, List<X509Certificate> certificates) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

  public TrustStore {
    if (name == null || !NAME.matcher(name).matches() || name.startsWith(".")) {
      throw new CertificateChainException(
          "invalid trust store name '" + name + "': use letters, digits, '.', '_' or '-'");
    }
    if (certificates == null || certificates.isEmpty()) {
      throw new CertificateChainException(
          "trust store " + type.directoryName() + "/" + name + " holds no certificate");
    }
    certificates = List.copyOf(certificates);
    for (X509Certificate cert : certificates) {
      if (cert.getBasicConstraints() < 0 && !isSelfSigned(cert)) {
        throw new CertificateChainException(
            "trust store "
                + type.directoryName()
                + "/"
                + name
                + ": certificate '"
                + cert.getSubjectX500Principal().getName()
                + "' is neither a CA certificate nor a self-signed signing certificate");
      }
    }
  }

  /**
   * The store {@code <root>/x509/<type>/<name>/}, every regular file in it read as certificates.
   */
  public static TrustStore load(Path root, TrustStoreType type, String name) {
    // Validate the name before it touches the file system: it must not walk out of the root.
    if (name == null || !NAME.matcher(name).matches() || name.startsWith(".")) {
      throw new CertificateChainException(
          "invalid trust store name '" + name + "': use letters, digits, '.', '_' or '-'");
    }
    Path dir = root.resolve("x509").resolve(type.directoryName()).resolve(name);
    return fromDirectory(dir, type, name);
  }

  /** A store made of every regular file in {@code dir}. */
  public static TrustStore fromDirectory(Path dir, TrustStoreType type, String name) {
    if (!Files.isDirectory(dir)) {
      throw new CertificateChainException("trust store directory " + dir + " does not exist");
    }
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new CertificateChainException("cannot list trust store " + dir + ": " + e.getMessage());
    }
    return fromFiles(type, name, files);
  }

  /** A store made of the certificates in {@code files} (PEM or DER). */
  public static TrustStore fromFiles(TrustStoreType type, String name, List<Path> files) {
    List<X509Certificate> certs = new ArrayList<>();
    for (Path file : files) {
      certs.addAll(CertificateReader.read(file));
    }
    return new TrustStore(type, name, certs);
  }

  /** {@code type/name}, as a trust policy refers to the store. */
  public String reference() {
    return type.directoryName() + ":" + name;
  }

  /** True when {@code cert} is, byte for byte, one of this store's certificates. */
  public boolean contains(X509Certificate cert) {
    return certificates.contains(cert);
  }

  static boolean isSelfSigned(X509Certificate cert) {
    if (!cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
      return false;
    }
    try {
      cert.verify(cert.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}

package io.portcullis.core.x509;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads X.509 certificates from PEM (one or more {@code CERTIFICATE} blocks) or DER bytes, as found
 * in a Notary Project trust store (<a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trust-store">trust
 * store</a>: "certificates in PEM or DER form").
 */
public final class CertificateReader {
  private CertificateReader() {}

  /** Every certificate in {@code bytes}; throws {@link CertificateChainException} when none. */
  public static List<X509Certificate> read(byte[] bytes, String source) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      List<X509Certificate> out = new ArrayList<>();
      for (var cert : factory.generateCertificates(new ByteArrayInputStream(bytes))) {
        out.add((X509Certificate) cert);
      }
      if (out.isEmpty()) {
        throw new CertificateChainException(source + " holds no certificate");
      }
      return List.copyOf(out);
    } catch (CertificateException e) {
      throw new CertificateChainException(
          source + " is not a PEM or DER X.509 certificate: " + e.getMessage());
    }
  }

  /** Every certificate in the file at {@code path}. */
  public static List<X509Certificate> read(Path path) {
    try {
      return read(Files.readAllBytes(path), path.toString());
    } catch (IOException e) {
      throw new CertificateChainException("cannot read " + path + ": " + e.getMessage());
    }
  }

  /** One DER certificate, as carried in an envelope's {@code x5c} or {@code x5chain}. */
  public static X509Certificate readDer(byte[] der, String source) {
    List<X509Certificate> certs = read(der, source);
    if (certs.size() != 1) {
      throw new CertificateChainException(source + " must hold exactly one certificate");
    }
    return certs.get(0);
  }
}

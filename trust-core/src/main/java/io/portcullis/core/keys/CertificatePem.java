package io.portcullis.core.keys;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * PEM {@code CERTIFICATE} blocks (<a href="https://www.rfc-editor.org/rfc/rfc7468#section-5">RFC
 * 7468 section 5</a>), the form of cosign's certificate and chain annotations and of Fulcio and
 * private-PKI root files. Blocks with other labels are skipped, as Go's {@code
 * cryptoutils.UnmarshalCertificatesFromPEM} does.
 */
public final class CertificatePem {
  public static final String LABEL = "CERTIFICATE";

  private CertificatePem() {}

  /** Every certificate in {@code pem}, in order; empty when there is none. */
  public static List<X509Certificate> parseAll(String pem) {
    List<X509Certificate> certificates = new ArrayList<>();
    for (PemBlock block : PemBlock.readAll(pem)) {
      if (LABEL.equals(block.label())) {
        certificates.add(parse(block.content()));
      }
    }
    return certificates;
  }

  /** The DER certificate {@code der}. */
  public static X509Certificate parse(byte[] der) {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | RuntimeException e) {
      throw new KeyFormatException("malformed X.509 certificate");
    }
  }

  public static String encode(X509Certificate certificate) {
    try {
      return new PemBlock(LABEL, certificate.getEncoded()).encode();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode a parsed certificate", e);
    }
  }
}
